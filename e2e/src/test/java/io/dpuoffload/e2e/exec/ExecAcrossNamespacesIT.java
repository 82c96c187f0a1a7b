package io.dpuoffload.e2e.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.cli.Offloadctl;
import io.dpuoffload.e2e.TestPki;
import io.dpuoffload.topology.Node;
import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.Topology;
import io.dpuoffload.topology.TopologyExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * offload-exec as deployed: `offloadctl exec serve` on the host node, `offloadctl exec run` on the
 * DPU node under a real parent process, mutual TLS across the veth pair. The program runs in the
 * host's PID namespace; the parent sees its exit code, or its death by signal, as from a local child.
 */
@ExtendWith(TopologyExtension.class)
class ExecAcrossNamespacesIT {
    private static final List<String> JVM = List.of("--enable-native-access=ALL-UNNAMED");

    /** A parent that runs argv[1:] and reports how it ended: the code, or -N for death by signal N. */
    private static final String PARENT = """
            import subprocess, sys
            print("RESULT %d" % subprocess.run(sys.argv[1:]).returncode, flush=True)
            """;

    @TempDir
    Path work;

    @Test
    void aDpuParentSeesItsHostChildExactly(Topology topology) throws Exception {
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path pki = TestPki.create(work.resolve("pki"));
        Path hostConfig = Files.writeString(work.resolve("host.yaml"), """
                node: host-1
                listen: tcp://198.51.100.1:7300
                pki: %s
                peers: [dpu-1]
                allow: [/bin/sh]
                """.formatted(pki));
        Path dpuConfig = Files.writeString(work.resolve("dpu.yaml"), """
                node: dpu-1
                pki: %s
                peers: [host-1]
                """.formatted(pki));
        NodeProcess host = topology.host()
                .startJava(
                        Offloadctl.class.getName(), JVM, List.of("exec", "serve", "--config", hostConfig.toString()));
        host.awaitLine(Pattern.compile("READY .*"), Duration.ofSeconds(60));
        NodeProcess dpuResident = topology.dpu().start(List.of("sleep", "120"));
        String hostPidNamespace = pidNamespace(host);
        String dpuPidNamespace = pidNamespace(dpuResident);
        assertThat(hostPidNamespace).isNotEqualTo(dpuPidNamespace);

        NodeProcess code = rexec(topology, dpuConfig, "/bin/sh", "-c", "readlink /proc/self/ns/pid; exit 3");
        assertThat(code.awaitLine(Pattern.compile("pid:.*"), Duration.ofSeconds(60)))
                .isEqualTo(hostPidNamespace);
        assertThat(code.awaitLine(Pattern.compile("RESULT .*"), Duration.ofSeconds(30)))
                .isEqualTo("RESULT 3");

        NodeProcess signalled = rexec(topology, dpuConfig, "/bin/sh", "-c", "kill -USR1 $$");
        assertThat(signalled.awaitLine(Pattern.compile("RESULT .*"), Duration.ofSeconds(60)))
                .as("the parent sees death by SIGUSR1, not an exit code")
                .isEqualTo("RESULT -10");

        NodeProcess denied = rexec(topology, dpuConfig, "/bin/ls", "/");
        assertThat(denied.awaitLine(Pattern.compile("RESULT .*"), Duration.ofSeconds(60)))
                .isEqualTo("RESULT 126");
        host.awaitLine(Pattern.compile(".*denied peer=.*dpu-1.* op=exec program=/bin/ls.*"), Duration.ofSeconds(10));
        host.stop();
        dpuResident.stop();
    }

    private static String pidNamespace(NodeProcess inside) {
        return inside.runInside(Duration.ofSeconds(10), "readlink", "/proc/self/ns/pid")
                .orThrow()
                .stdout()
                .strip();
    }

    private static NodeProcess rexec(Topology topology, Path config, String... program) {
        List<String> args = new ArrayList<>(
                List.of("exec", "run", "--server", "tcp://198.51.100.1:7300", "--config", config.toString(), "--"));
        args.addAll(List.of(program));
        List<String> command = new ArrayList<>(List.of("python3", "-c", PARENT));
        command.addAll(Node.javaCommand(Offloadctl.class.getName(), JVM, args));
        return topology.dpu().start(command);
    }
}
