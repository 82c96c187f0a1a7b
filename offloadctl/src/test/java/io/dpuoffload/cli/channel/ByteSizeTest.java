package io.dpuoffload.cli.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpuoffload.cli.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizeTest {

    @ParameterizedTest
    @CsvSource({
        "65536, 65536",
        "0, 0",
        "512B, 512",
        "64KiB, 65536",
        "64MiB, 67108864",
        "1GiB, 1073741824",
        "1gib, 1073741824",
        "2TiB, 2199023255552",
        "' 8 MiB ', 8388608"
    })
    void readsBytesAndBinaryUnits(String text, long bytes) {
        assertThat(ByteSize.parse("--bytes", text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1GB", "1G", "64MB", "64m", "8kb"})
    void refusesDecimalOrBareUnitsAsAmbiguous(String text) {
        assertThatThrownBy(() -> ByteSize.parse("--bytes", text))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("--bytes: '" + text + "' is not a size")
                .hasMessageContaining("is ambiguous: write ")
                .hasMessageContaining("iB for binary units")
                .hasMessageEndingWith(ByteSize.FORMS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "abc", "-1", "1.5GiB", "1 GiB extra", "12PB2", "1 parsec"})
    void refusesWhatIsNotASizeNamingTheOptionAndTheForms(String text) {
        assertThatThrownBy(() -> ByteSize.parse("--bytes", text))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("--bytes: '" + text + "' is not a size")
                .hasMessageContaining("use a whole number of bytes, optionally with KiB, MiB, GiB or TiB")
                .hasMessageContaining("e.g. 65536, 64MiB, 1GiB");
    }

    @Test
    void refusesSizesThatOverflow() {
        assertThatThrownBy(() -> ByteSize.parse("--bytes", "99999999999TiB"))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("(too large)");
        assertThatThrownBy(() -> ByteSize.parse("--bytes", "99999999999999999999"))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("is not a size");
    }

    @Test
    void checksBoundsAndNamesThem() {
        assertThat(ByteSize.parse("--bytes", "1GiB", 1, 16 * ByteSize.GIB)).isEqualTo(ByteSize.GIB);

        assertThatThrownBy(() -> ByteSize.parse("--bytes", "32GiB", 1, 16 * ByteSize.GIB))
                .isInstanceOf(BadInputException.class)
                .hasMessage("--bytes: 32GiB is outside 1 B to 16.0 GiB");
        assertThatThrownBy(() -> ByteSize.parse("--bytes", "0", 1, 16 * ByteSize.GIB))
                .hasMessage("--bytes: 0 is outside 1 B to 16.0 GiB");
    }

    @ParameterizedTest
    @CsvSource({
        "0, 0 B",
        "1023, 1023 B",
        "1024, 1.00 KiB",
        "1536, 1.50 KiB",
        "67108864, 64.0 MiB",
        "268435456, 256 MiB",
        "1073741824, 1.00 GiB",
        "33659000, 32.1 MiB"
    })
    void formatsWithThreeSignificantDigits(long bytes, String text) {
        assertThat(ByteSize.format(bytes)).isEqualTo(text);
    }
}
