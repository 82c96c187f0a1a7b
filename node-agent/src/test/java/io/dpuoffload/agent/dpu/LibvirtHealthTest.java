package io.dpuoffload.agent.dpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LibvirtHealthTest {
    private static final Path ROOT = Path.of("/run/dpu-offload/root");

    @Test
    void aLocalUriInTheRootIsTheSameDriverOverTheRootsSocket() {
        assertThat(LibvirtHealth.fromOutside("qemu:///system", ROOT))
                .isEqualTo("qemu+unix:///system?socket=/run/dpu-offload/root/run/libvirt/libvirt-sock");
    }

    @Test
    void aUriWithATransportOrParametersIsTheSameEverywhere() {
        assertThat(LibvirtHealth.fromOutside("qemu+tcp://dpu-1/system", ROOT)).isEqualTo("qemu+tcp://dpu-1/system");
        assertThat(LibvirtHealth.fromOutside("qemu:///system?socket=/x", ROOT)).isEqualTo("qemu:///system?socket=/x");
        assertThat(LibvirtHealth.fromOutside("test:///default", ROOT)).isEqualTo("test:///default");
    }
}
