package io.dpuoffload.ipc.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpuoffload.api.validation.ConfigException;
import io.dpuoffload.linux.UnixSockets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class IpcConfigLoaderTest {
    private static final String BASE = """
            node: dpu-1
            peers: [host-1]
            """;

    @Test
    void aForwardIsOwnerOnlyUnlessAModeIsGiven() {
        IpcConfig config = IpcConfigLoader.parse(BASE + """
                forwards:
                  - listen: /run/a.sock
                    to: /run/libvirt/libvirt-sock
                  - listen: /run/b.sock
                    to: /run/b.sock
                    type: seqpacket
                    mode: "0660"
                """);
        assertThat(config.forwards()).hasSize(2);
        assertThat(config.forwards().get(0).mode()).isEqualTo(0600);
        assertThat(config.forwards().get(1).mode()).isEqualTo(0660);
        assertThat(config.forwards().get(1).socketType()).isEqualTo(UnixSockets.SOCK_SEQPACKET);
    }

    @Test
    void aModeThatIsNotOctalIsRefusedWithTheFix() {
        assertThatThrownBy(() -> IpcConfigLoader.parse(BASE + """
                        forwards:
                          - listen: /run/a.sock
                            to: /run/a.sock
                            mode: rw-rw----
                        """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("forwards[0].mode")
                .hasMessageContaining("octal");
    }

    @Test
    void datagramSocketsAreRefusedClearly() {
        assertThatThrownBy(() -> IpcConfigLoader.parse(BASE + """
                        forwards:
                          - listen: /run/a.sock
                            to: /run/a.sock
                            type: dgram
                        """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("datagram sockets are not carried");
    }

    @Test
    void transparentDirectoriesMapBothWays() {
        IpcConfig config = IpcConfigLoader.parse(BASE + """
                transparent:
                  - local: /var/lib/dpuo/root/run/libvirt/qemu
                    peer: /run/libvirt/qemu
                """);
        PeerPaths paths = config.transparent();
        assertThat(paths.peerPathOf(Path.of("/var/lib/dpuo/root/run/libvirt/qemu/vm1.monitor")))
                .contains("/run/libvirt/qemu/vm1.monitor");
        assertThat(paths.peerPathOf(Path.of("/var/lib/dpuo/root/run/libvirt/qemu-other/x")))
                .isEmpty();
        assertThat(paths.localPathOf(Path.of("/run/libvirt/qemu/vm1.monitor")))
                .contains("/var/lib/dpuo/root/run/libvirt/qemu/vm1.monitor");
    }

    @Test
    void aRelativeTransparentPathIsRefused() {
        assertThatThrownBy(() -> IpcConfigLoader.parse(BASE + """
                        transparent:
                          - local: run/qemu
                            peer: /run/qemu
                        """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("transparent[0].local")
                .hasMessageContaining("absolute");
    }

    @Test
    void carriedConnectionsOutliveALostChannelForAMinuteUnlessConfiguredOtherwise() {
        assertThat(IpcConfigLoader.parse(BASE).resumeWithin()).isEqualTo(java.time.Duration.ofSeconds(60));
        assertThat(IpcConfigLoader.parse(BASE + "resumeWithin: 5s\n").resumeWithin())
                .isEqualTo(java.time.Duration.ofSeconds(5));
        IpcConfig off = IpcConfigLoader.parse(BASE + "resumeWithin: 0s\n");
        assertThat(off.resumes()).as("0s: connections end with the channel").isFalse();
    }

    @Test
    void aResumeBoundBeyondAnHourIsRefusedWithTheRange() {
        assertThatThrownBy(() -> IpcConfigLoader.parse(BASE + "resumeWithin: 2h\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("resumeWithin")
                .hasMessageContaining("0s")
                .hasMessageContaining("1h");
    }
}
