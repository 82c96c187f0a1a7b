package io.dpuoffload.bench.fs;

import io.dpuoffload.bench.BenchStage;
import io.dpuoffload.bench.ChildProcess;
import io.dpuoffload.bench.OffloadBench;
import io.dpuoffload.bench.ProgressRelay;
import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.MachineInfo;
import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.Prerequisites;
import io.dpuoffload.topology.StartOptions;
import io.dpuoffload.topology.Topology;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code offload-bench fs}: offload-fs against sshfs and native tmpfs, as seen from a DPU node, with issue #3's
 * workloads. See docs/benchmarks.md.
 *
 * <p>This JVM only prepares files and starts the two node sides; they do everything in their namespaces (see {@link
 * HostSideCommand} and {@link DpuSideCommand}). It never connects to a node address.
 */
@Command(
        name = "fs",
        mixinStandardHelpOptions = true,
        subcommands = {HostSideCommand.class, DpuSideCommand.class},
        synopsisSubcommandLabel = "",
        description = {
            "Compare offload-fs with sshfs and native tmpfs on this machine (as root).",
            "",
            "A host and a DPU node in two network namespaces joined by a veth pair. The",
            "host serves a tmpfs and its /proc with sshd and `fs serve`; the DPU mounts",
            "them with sshfs and `fs mount` beside a tmpfs of its own, and measures on",
            "each: sequential write and cold read, create+stat+unlink, open/read/close",
            "of a 4 KiB file, readdir, and reads of /proc/PID/stat. Prints medians and",
            "offload-fs's ratios; with the defaults it takes a few minutes. Needs the",
            "Debian packages sshfs and openssh-server. See docs/benchmarks.md."
        })
public final class FsBenchCommand implements Callable<Integer> {

    /** Node JVMs as the topology's other commands start them; see {@link ChildProcess#JVM_ARGS}. */
    static final List<String> JVM_ARGS = ChildProcess.JVM_ARGS;

    /** The host side starts two JVMs and sshd; ten times what that takes means it is stuck. */
    static final Duration HOST_READY_TIMEOUT = Duration.ofSeconds(120);

    /** The DPU side bounds each measurement itself; this only ends one that hangs outright. */
    static final Duration DPU_TIMEOUT = Duration.ofMinutes(20);

    /** Node sides unmount and stop their children on SIGTERM: two JVMs' shutdown on a busy 2-core machine. */
    static final Duration NODE_STOP_GRACE = Duration.ofSeconds(30);

    private static final Pattern HOST_READY = Pattern.compile("^" + HostSideCommand.READY + " proc-pid=(\\d+)");

    @Mixin
    BenchOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        BenchLoad load = options.check(spec);
        if (!Prerequisites.isRoot()) {
            throw new IllegalStateException("run me as root (e.g. sudo offload-bench fs): the benchmark creates"
                    + " network namespaces and mounts file systems");
        }
        BenchTools.missing().ifPresent(message -> {
            throw new IllegalStateException(message);
        });
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "File system benchmark, as seen from the DPU node (%s): native tmpfs, sshfs and offload-fs from the"
                        + " host node (%s).%n",
                Topology.DPU_ADDRESS, Topology.HOST_ADDRESS);
        out.printf("Measuring %s; this takes a few minutes...%n", load.describe());
        out.flush();
        String loadBefore = MachineInfo.loadAverage();
        long started = System.nanoTime();

        BenchStage stage = BenchStage.create(
                BenchLayout.PREFIX,
                root -> {
                    BenchLayout layout = BenchLayout.prepare(root);
                    OffloadFsSetup.prepare(layout);
                    SshSetup.prepare(layout.ssh());
                },
                "each unmounted its file systems and stopped sshd, sshfs, fs serve and fs mount by pid",
                spec.commandLine().getErr());
        try {
            FsBenchReport report = run(stage, load, out);
            String loadAverages = loadBefore + " at the start, " + MachineInfo.loadAverage() + " at the end; took "
                    + Duration.ofNanos(System.nanoTime() - started).toSeconds() + " s";
            out.println();
            FsBenchTable.render(report, MachineInfo.current(), loadAverages).forEach(out::println);
            out.println();
            out.println("Raw: " + report.toJson());
        } finally {
            out.println("Cleaned up: " + String.join("; ", stage.tearDown()) + ".");
            out.flush();
        }
        return ExitCodes.OK;
    }

    private static FsBenchReport run(BenchStage stage, BenchLoad load, PrintWriter out) throws InterruptedException {
        String layout = stage.root().toString();
        StartOptions options = StartOptions.defaults().withStopGrace(NODE_STOP_GRACE);
        NodeProcess host = stage.topology()
                .host()
                .startJava(
                        OffloadBench.class.getName(),
                        JVM_ARGS,
                        List.of("fs", "host-side", "--layout", layout, "--size", Long.toString(load.bytes())),
                        options);
        Matcher ready = HOST_READY.matcher(host.awaitLine(HOST_READY, HOST_READY_TIMEOUT));
        if (!ready.find()) {
            throw new IllegalStateException("the host side's READY line names no pid");
        }
        out.println("Host node ready: sshd and fs serve on a tmpfs; /proc row reads host pid " + ready.group(1) + ".");
        out.flush();

        List<String> args =
                new ArrayList<>(List.of("fs", "dpu-side", "--layout", layout, "--proc-pid", ready.group(1)));
        args.addAll(load.toArgs());
        NodeProcess dpu = stage.topology().dpu().startJava(OffloadBench.class.getName(), JVM_ARGS, args, options);
        ProgressRelay.relay(dpu, DpuSideCommand.PROGRESS, out, DPU_TIMEOUT);
        int exit = dpu.waitFor(NODE_STOP_GRACE);
        if (exit != ExitCodes.OK) {
            throw new IllegalStateException("the DPU side failed with exit code " + exit + ":\n" + dpu.stderr()
                    + "the host side's log:\n" + host.stderr());
        }
        // Unmount on the DPU before the host's servers go: both side stop in that order on their own too.
        dpu.stop();
        host.stop();
        return dpu.stdout()
                .lines()
                .filter(line -> line.startsWith("{"))
                .reduce((first, second) -> second)
                .map(FsBenchReport::fromJson)
                .orElseThrow(() -> new IllegalStateException(
                        "the DPU side printed no result; its output:\n" + dpu.stdout() + dpu.stderr()));
    }
}
