package io.dpuoffload.e2e.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.Topology;
import io.dpuoffload.topology.TopologyExtension;
import java.nio.file.Path;
import java.time.Duration;
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
        ExecNodes nodes = ExecNodes.prepare(work, "allow: [/bin/sh]", "");
        String marker = "rexec-cut-" + ProcessHandle.current().pid();
        NodeProcess host = nodes.startHost(topology);
        NodeProcess parent =
                nodes.startGateway(topology, "python3", "-c", """
                import subprocess, sys, time
                child = subprocess.Popen([sys.argv[1], "/bin/sh", "-c",
                                          "echo started; sleep 1000; true " + sys.argv[2]],
                                         stdout=subprocess.PIPE)
                print(child.stdout.readline().decode().strip(), flush=True)
                began = time.time()
                code = child.wait()
                print("rexec exited %d after %.0f s" % (code, time.time() - began), flush=True)
                """, nodes.rexec().toString(), marker);
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
