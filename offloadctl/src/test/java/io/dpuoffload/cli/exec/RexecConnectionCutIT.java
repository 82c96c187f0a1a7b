package io.dpuoffload.cli.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.cli.Offloadctl;
import io.dpuoffload.cli.TestPki;
import io.dpuoffload.exec.gateway.RexecBinary;
import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.Topology;
import io.dpuoffload.topology.TopologyExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The link between host and DPU goes down while a program runs: the DPU parent sees rexec end with
 * 255 (ssh's status for a lost connection) in bounded time, and the host kills the program.
 */
@ExtendWith(TopologyExtension.class)
class RexecConnectionCutIT {
    private static final Duration START = Duration.ofSeconds(60);
    /** The transport declares a silent peer dead after 5 s; everything after that is prompt. */
    private static final Duration BOUND = Duration.ofSeconds(20);

    @TempDir
    Path work;

    @Test
    void aCutLinkEndsBothSidesInBoundedTime(Topology topology) throws Exception {
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
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
        Path rexec = work.resolve("rexec");
        RexecBinary.writeClient(rexec);
        String marker = "rexec-cut-" + ProcessHandle.current().pid();
        NodeProcess host = topology.host()
                .startJava(
                        Offloadctl.class.getName(),
                        RexecAcrossNamespacesIT.JVM,
                        List.of("exec", "serve", "--config", hostConfig.toString()));
        host.awaitLine(Pattern.compile("READY .*"), START);
        NodeProcess parent = topology.dpu()
                .startJava(
                        Offloadctl.class.getName(),
                        RexecAcrossNamespacesIT.JVM,
                        List.of(
                                "exec",
                                "gateway",
                                "--server",
                                "tcp://198.51.100.1:7300",
                                "--config",
                                dpuConfig.toString(),
                                "--socket",
                                work.resolve("exec.sock").toString(),
                                "--",
                                "python3",
                                "-c",
                                """
                                import subprocess, sys, time
                                child = subprocess.Popen([sys.argv[1], "/bin/sh", "-c",
                                                          "echo started; sleep 1000; true " + sys.argv[2]],
                                                         stdout=subprocess.PIPE)
                                print(child.stdout.readline().decode().strip(), flush=True)
                                began = time.time()
                                code = child.wait()
                                print("rexec exited %d after %.0f s" % (code, time.time() - began), flush=True)
                                """,
                                rexec.toString(),
                                marker));
        parent.awaitLine(Pattern.compile("started"), START);
        assertThat(RexecAcrossNamespacesIT.hostProcessesWith(host, marker, Duration.ZERO))
                .hasSize(1);

        topology.dpu()
                .run(
                        START,
                        "sh",
                        "-c",
                        "for i in $(ls /sys/class/net); do [ $i = lo ] || ip link set dev $i down; done")
                .orThrow();

        String ended = parent.awaitLine(Pattern.compile("rexec exited .*"), BOUND);
        assertThat(ended).startsWith("rexec exited 255 after ");
        assertThat(RexecAcrossNamespacesIT.hostProcessesWith(host, marker, BOUND))
                .as("the program on the host, once the host saw the DPU go silent")
                .isEmpty();
        parent.stop();
        host.stop();
    }
}
