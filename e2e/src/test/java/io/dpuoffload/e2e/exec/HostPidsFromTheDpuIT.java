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
 * A DPU daemon that starts a program which daemonizes on the host (as `qemu -daemonize` does),
 * reads its host pid from the pidfile, and signals it and sets its CPU affinity with plain system
 * calls: they reach the host process, while its calls on its own local pids stay local.
 */
@ExtendWith(TopologyExtension.class)
class HostPidsFromTheDpuIT {
    private static final Duration START = Duration.ofSeconds(60);

    /** The "daemon" on the DPU: starts a host program that daemonizes, then works with its host pid. */
    private static final String DAEMON = """
            import os, signal, subprocess, sys, time
            rexec, pidfile = sys.argv[1], sys.argv[2]
            code = subprocess.run([rexec, "/bin/sh", "-c",
                                   "setsid sleep 1000 < /dev/null > /dev/null 2>&1 & echo $! > " + pidfile]).returncode
            pid = int(open(pidfile).read())
            print("launcher exited", code, "host pid", pid, flush=True)
            os.kill(pid, 0)
            print("signal 0 reached it", flush=True)
            os.sched_setaffinity(pid, {0})
            print("affinity", sorted(os.sched_getaffinity(pid)), flush=True)
            sys.stdin.readline()  # the test looks at the host process now
            local = subprocess.Popen(["sleep", "1000"])
            os.kill(local.pid, signal.SIGTERM)
            print("local child", local.wait(), flush=True)
            try:
                os.kill(4_000_000, 0)  # above any pid_max: neither local nor a host pid of ours
            except ProcessLookupError:
                print("unknown pid: ESRCH", flush=True)
            os.kill(pid, signal.SIGTERM)
            print("sent SIGTERM", flush=True)
            # as libvirt waits for a probe it killed: signal 0 until ESRCH, which a zombie would never give
            deadline = time.time() + 5
            while time.time() < deadline:
                try:
                    os.kill(pid, 0)
                    time.sleep(0.05)
                except ProcessLookupError:
                    print("gone as seen from the DPU", flush=True)
                    break
            sys.stdin.readline()
            """;

    @TempDir
    Path work;

    @Test
    void aDaemonizedHostProcessIsSignalledByItsHostPid(Topology topology) throws Exception {
        ExecNodes nodes = ExecNodes.prepare(work, "allow: [/bin/sh]", "");
        Path pidfile = work.resolve("sleep.pid");
        NodeProcess host = nodes.startHost(topology);
        NodeProcess daemon = nodes.startGateway(
                topology, "python3", "-c", DAEMON, nodes.rexec().toString(), pidfile.toString());

        String launched = daemon.awaitLine(Pattern.compile("launcher exited .*"), START);
        assertThat(launched).startsWith("launcher exited 0 host pid ");
        String pid = launched.substring(launched.lastIndexOf(' ') + 1);
        daemon.awaitLine(Pattern.compile("signal 0 reached it"), START);
        assertThat(daemon.awaitLine(Pattern.compile("affinity .*"), START)).isEqualTo("affinity [0]");
        assertThat(hostState(host, pid))
                .as("the daemonized sleep on the host, pinned to CPU 0 from the DPU")
                .contains("sleep")
                .contains("Cpus_allowed_list:\t0");

        daemon.stdin().write('\n');
        daemon.stdin().flush();
        assertThat(daemon.awaitLine(Pattern.compile("local child .*"), START))
                .as("a local pid is signalled locally")
                .isEqualTo("local child -15");
        daemon.awaitLine(Pattern.compile("unknown pid: ESRCH"), START);
        daemon.awaitLine(Pattern.compile("sent SIGTERM"), START);
        assertThat(awaitGone(host, pid))
                .as("the host process after SIGTERM from the DPU, reaped (not left a zombie)")
                .isTrue();
        daemon.awaitLine(Pattern.compile("gone as seen from the DPU"), START);
        daemon.stdin().write('\n');
        daemon.stdin().flush();
        assertThat(daemon.waitFor(START)).isZero();
        host.stop();
    }

    /** The host process's name and allowed CPUs, from the exec server's PID namespace. */
    private static String hostState(NodeProcess host, String pid) {
        return host.runInside(START, "sh", "-c", "grep -E '^(Name|State|Cpus_allowed_list)' /proc/" + pid + "/status")
                .stdout();
    }

    /** Whether it is gone, reaped, within 5 s. */
    private static boolean awaitGone(NodeProcess host, String pid) throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            String state = hostState(host, pid);
            if (!state.contains("sleep")) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }
}
