package io.dpuoffload.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The guest's boot sector: a BIOS boots it, and it points at its own message (the e2e test sees it print). */
class BootSectorTest {
    @Test
    void aBootableSectorThatAddressesItsMessage() {
        byte[] image = BootSector.printing("hi");
        assertThat(image).hasSize(1 << 20);
        assertThat(image[510]).as("boot signature").isEqualTo((byte) 0x55);
        assertThat(image[511]).isEqualTo((byte) 0xaa);
        int message = (image[8] & 0xff) | (image[9] & 0xff) << 8; // mov si, imm16
        int offset = message - 0x7c00;
        assertThat(new String(Arrays.copyOfRange(image, offset, offset + 5), StandardCharsets.US_ASCII))
                .isEqualTo("hi\r\n\0");
    }

    @Test
    void anEchoingSectorAddressesItsMessageAfterItsLongerCode() {
        byte[] printing = BootSector.printing("hi");
        byte[] echoing = BootSector.echoing("hi");
        int message = (echoing[8] & 0xff) | (echoing[9] & 0xff) << 8;
        int offset = message - 0x7c00;
        assertThat(offset).isEqualTo(35);
        assertThat(new String(Arrays.copyOfRange(echoing, offset, offset + 5), StandardCharsets.US_ASCII))
                .isEqualTo("hi\r\n\0");
        assertThat(Arrays.copyOfRange(echoing, 10, 18))
                .as("the same print loop")
                .isEqualTo(Arrays.copyOfRange(printing, 10, 18));
        assertThat(echoing[510]).isEqualTo((byte) 0x55);
    }

    @Test
    void aMessageTooLongForTheSectorIsRefused() {
        assertThatThrownBy(() -> BootSector.printing("x".repeat(500)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not fit");
    }
}
