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

    @Test
    void virshsListingCountsRunningAndDefinedDomains() {
        assertThat(VirshInRoot.counts(" 1    vm-a   running\n 7    vm-b   paused\n -    vm-c   shut off\n\n"))
                .isEqualTo("2 running, 1 defined domain(s)");
        assertThat(VirshInRoot.counts("")).isEqualTo("0 running, 0 defined domain(s)");
    }

    /**
     * Without libvirt's client library (the agent's image), the root's own virsh answers, and the
     * same as the library does: here on libvirt's test driver, which needs no daemon.
     */
    @Test
    void theRootsVirshAnswersAsTheClientLibraryDoes() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                java.nio.file.Files.isExecutable(Path.of("/usr/bin/virsh"))
                        && "root".equals(System.getProperty("user.name")),
                "needs virsh (libvirt-clients) and root for chroot; CI has both");
        String throughVirsh = new VirshInRoot("test:///default", Path.of("/")).check();

        assertThat(throughVirsh).isEqualTo("1 running, 0 defined domain(s)");
        assertThat(new LibvirtHealth("test:///default", Path.of("/")).check()).isEqualTo(throughVirsh);
    }

    @Test
    void aVirshThatCannotConnectSaysWhy() {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                java.nio.file.Files.isExecutable(Path.of("/usr/bin/virsh"))
                        && "root".equals(System.getProperty("user.name")),
                "needs virsh (libvirt-clients) and root for chroot; CI has both");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new VirshInRoot("qemu+unix:///system?socket=/nonexistent/sock", Path.of("/")).check())
                .hasMessageContaining("virsh")
                .hasMessageContaining("failed (exit 1)");
    }
}
