package io.dpuoffload.agent.dpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ContainerdHealthTest {
    @Test
    void theServersVersionIsWhatContainerdAnswered() {
        String output = """
                Client:
                  Version:  1.6.20~ds1
                  Revision: 1.6.20~ds1-1+deb12u3
                  Go version: go1.19.8

                Server:
                  Version:  1.6.21
                  Revision: abc
                  UUID: 4f8c
                """;
        assertThat(ContainerdHealth.serverVersion(output)).isEqualTo("containerd 1.6.21");
    }

    @Test
    void aClientSectionAloneIsNoAnswer() {
        assertThatThrownBy(() -> ContainerdHealth.serverVersion("Client:\n  Version:  1.6.20\n"))
                .hasMessageContaining("no server version");
    }

    /** The root's own ctr, against a socket where no containerd listens: a failed check that says so. */
    @Test
    void aContainerdThatIsNotThereFailsTheCheckWithCtrsReason() {
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/ctr")) && "root".equals(System.getProperty("user.name")),
                "needs ctr (containerd) and root for chroot; CI has both");
        ContainerdHealth probe = new ContainerdHealth(Path.of("/nonexistent/containerd.sock"), Path.of("/"));

        assertThat(probe.target()).isEqualTo("/nonexistent/containerd.sock");
        assertThatThrownBy(probe::check)
                .hasMessageContaining("ctr")
                .hasMessageContaining("failed (exit 1)")
                .hasMessageContaining("/nonexistent/containerd.sock");
    }
}
