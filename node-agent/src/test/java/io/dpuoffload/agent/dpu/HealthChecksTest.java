package io.dpuoffload.agent.dpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpuoffload.api.spec.Health;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of health check gets its probe, asking from outside the root. */
class HealthChecksTest {
    @Test
    void aLibvirtCheckAsksThroughTheRootsSocket(@TempDir Path root) {
        HealthProbe probe = HealthChecks.probe(new Health.Libvirt("qemu:///system", Duration.ofSeconds(30), 3), root);
        assertThat(probe).isInstanceOf(LibvirtHealth.class);
        assertThat(probe.target()).isEqualTo("qemu+unix:///system?socket=" + root.resolve("run/libvirt/libvirt-sock"));
    }

    @Test
    void aSocketCheckPassesWhileSomethingAcceptsThere(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("run"));
        HealthProbe probe =
                HealthChecks.probe(new Health.Socket(Path.of("/run/d.sock"), Duration.ofSeconds(30), 3), root);
        assertThat(probe.target()).isEqualTo(root.resolve("run/d.sock").toString());
        assertThatThrownBy(probe::check).as("nothing listens yet").isInstanceOf(java.io.IOException.class);
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(root.resolve("run/d.sock")));
            assertThat(probe.check()).isEqualTo("accepts connections");
        }
    }
}
