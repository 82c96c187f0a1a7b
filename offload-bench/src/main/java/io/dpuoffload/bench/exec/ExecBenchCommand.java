package io.dpuoffload.bench.exec;

import io.dpuoffload.bench.BenchStage;
import io.dpuoffload.bench.ChildProcess;
import io.dpuoffload.bench.OffloadBench;
import io.dpuoffload.bench.fs.BenchTools;
import io.dpuoffload.bench.fs.SshSetup;
import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.MachineInfo;
import io.dpuoffload.cli.Offloadctl;
import io.dpuoffload.cli.channel.ByteSize;
import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.Prerequisites;
import io.dpuoffload.topology.StartOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code offload-bench exec}: rexec against ssh (plain and multiplexed) and a local exec, as seen
 * from a DPU node. This JVM prepares files and starts the nodes; it never connects to a node address.
 */
@Command(
        name = "exec",
        mixinStandardHelpOptions = true,
        subcommands = {DpuSideCommand.class},
        synopsisSubcommandLabel = "",
        description = {
            "Compare rexec with ssh and a local exec on this machine (as root).",
            "",
            "A host and a DPU node in two network namespaces joined by a veth pair; on the",
            "host, exec serve and sshd; on the DPU, exec gateway. From the DPU: /bin/true run",
            "locally, through rexec, through ssh with ControlMaster and through plain ssh;",
            "then stdout throughput of head -c SIZE /dev/zero through rexec, ssh and locally.",
            "Prints medians and rexec's ratios. Needs openssh-server and openssh-client."
        })
public final class ExecBenchCommand implements Callable<Integer> {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration DPU_TIMEOUT = Duration.ofMinutes(20);
    private static final Duration NODE_STOP_GRACE = Duration.ofSeconds(30);

    /**
     * Empties, in sshd's own mount namespace, the start-up files bash reads for a command run over
     * ssh (Debian's bash reads the system's and the account's bashrc then, although not
     * interactive). A machine's root account may run slow initialisation there (a language
     * version manager, say), and the ssh columns would time that, not ssh: an account used for
     * scripted commands is kept free of it, and the comparison with rexec (which runs no shell)
     * must be too.
     */
    static final String WITHOUT_SHELL_START_UP_FILES = "for f in ~" + SshSetup.USER
            + "/.bashrc /etc/bash.bashrc; do if [ -f \"$f\" ]; then mount --bind /dev/null \"$f\" || exit 1; fi;"
            + " done";

    @Option(
            names = "--runs",
            paramLabel = "N",
            defaultValue = "300",
            description =
                    "Runs of /bin/true through rexec, ssh with ControlMaster and locally (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(
            names = "--ssh-runs",
            paramLabel = "N",
            defaultValue = "40",
            description = "Runs through plain ssh, a handshake each (default ${DEFAULT-VALUE}).")
    int sshRuns;

    @Option(
            names = "--size",
            paramLabel = "SIZE",
            defaultValue = "1GiB",
            description = "Bytes for the stdout throughput, e.g. 256MiB (default ${DEFAULT-VALUE}).")
    String size;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        long bytes = ByteSize.parse("--size", size); // a bad size fails here, before any setup
        if (!Prerequisites.isRoot()) {
            throw new IllegalStateException(
                    "run me as root (e.g. sudo offload-bench exec): the benchmark creates network namespaces");
        }
        BenchTools.SSHD.path(); // each names its Debian package when missing
        BenchTools.SSH.path();
        BenchTools.SSH_KEYGEN.path();
        PrintWriter out = spec.commandLine().getOut();
        out.println(
                "Process start benchmark, as seen from the DPU node: local exec, rexec, ssh with ControlMaster and plain ssh to the host node.");
        out.flush();
        String loadBefore = MachineInfo.loadAverage();
        long started = System.nanoTime();
        BenchStage stage = BenchStage.create(
                ExecBenchLayout.PREFIX,
                ExecBenchLayout::prepare,
                "each stopped its sshd, exec serve or exec gateway by pid",
                spec.commandLine().getErr());
        try {
            ExecBenchLayout layout = new ExecBenchLayout(stage.root());
            StartOptions options = StartOptions.defaults().withStopGrace(NODE_STOP_GRACE);
            NodeProcess sshd = stage.topology()
                    .host()
                    .start(
                            List.of(
                                    "sh",
                                    "-c",
                                    // sshd needs /run/sshd; this node's mount namespace gets a small /run of its own
                                    "mount -t tmpfs -o size=1m,mode=0755 exec-bench-run /run && mkdir /run/sshd && "
                                            + WITHOUT_SHELL_START_UP_FILES + " && exec "
                                            + BenchTools.SSHD.path() + " -D -e -f "
                                            + SshSetup.sshdConfig(layout.ssh())),
                            options);
            sshd.awaitLine(Pattern.compile(".*Server listening on .*"), READY_TIMEOUT);
            NodeProcess serve = stage.topology()
                    .host()
                    .startJava(
                            Offloadctl.class.getName(),
                            ChildProcess.JVM_ARGS,
                            List.of(
                                    "exec",
                                    "serve",
                                    "--config",
                                    layout.hostConfig().toString()),
                            options);
            serve.awaitLine(Pattern.compile("^READY .*"), READY_TIMEOUT);
            out.println("Host node ready: sshd and exec serve (" + ExecBenchLayout.endpoint() + ").");
            out.printf(
                    "Measuring %d runs each (%d through plain ssh) and %s of stdout; about a minute...%n",
                    runs, sshRuns, size);
            out.flush();
            List<String> args = new ArrayList<>(List.of(
                    "exec",
                    "dpu-side",
                    "--layout",
                    layout.root().toString(),
                    "--runs",
                    Integer.toString(runs),
                    "--ssh-runs",
                    Integer.toString(sshRuns),
                    "--size",
                    size));
            NodeProcess dpu = stage.topology()
                    .dpu()
                    .startJava(OffloadBench.class.getName(), ChildProcess.JVM_ARGS, args, options);
            int exit = dpu.waitFor(DPU_TIMEOUT);
            if (exit != ExitCodes.OK) {
                throw new IllegalStateException("the DPU side failed with exit code " + exit + ":\n" + dpu.stdout()
                        + dpu.stderr() + "exec serve's log:\n" + serve.stderr());
            }
            out.println();
            out.print(dpu.stdout());
            out.printf(
                    "%s; load average %s at the start, %s at the end; took %d s%n",
                    MachineInfo.current().describe(),
                    loadBefore,
                    MachineInfo.loadAverage(),
                    Duration.ofNanos(System.nanoTime() - started).toSeconds());
            serve.stop();
            sshd.stop();
        } finally {
            out.println("Cleaned up: " + String.join("; ", stage.tearDown()) + ".");
            out.flush();
        }
        return ExitCodes.OK;
    }
}
