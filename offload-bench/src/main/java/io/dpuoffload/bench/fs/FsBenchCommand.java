package io.dpuoffload.bench.fs;

import io.dpuoffload.bench.BenchStage;
import io.dpuoffload.bench.HostSide;
import io.dpuoffload.bench.TwoSidedBenchCommand;
import io.dpuoffload.cli.MachineInfo;
import io.dpuoffload.topology.Topology;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

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
public final class FsBenchCommand extends TwoSidedBenchCommand<BenchLoad, FsBenchReport> {

    /** The host side names the pid whose /proc/PID/stat the DPU side reads, on all three file systems. */
    private static final Pattern HOST_READY = Pattern.compile("^" + HostSide.READY + " proc-pid=(\\d+)");

    public FsBenchCommand() {
        super(FsBenchReport.class, "the benchmark creates network namespaces and mounts file systems", HOST_READY);
    }

    @Mixin
    BenchOptions options;

    @Override
    protected BenchLoad load() {
        return options.check(spec);
    }

    @Override
    protected Optional<String> missingTools() {
        return BenchTools.missing();
    }

    @Override
    protected String headline() {
        return "File system benchmark, as seen from the DPU node (" + Topology.DPU_ADDRESS + "): native tmpfs, sshfs"
                + " and offload-fs from the host node (" + Topology.HOST_ADDRESS + ").";
    }

    @Override
    protected BenchStage stage(PrintWriter err) {
        return BenchStage.create(
                BenchLayout.PREFIX,
                root -> {
                    BenchLayout layout = BenchLayout.prepare(root);
                    OffloadFsSetup.prepare(layout);
                    SshSetup.prepare(layout.ssh());
                },
                "each unmounted its file systems and stopped sshd, sshfs, fs serve and fs mount by pid",
                err);
    }

    @Override
    protected List<String> hostArgs(Path layout, BenchLoad load) {
        return List.of("fs", "host-side", "--layout", layout.toString(), "--size", Long.toString(load.bytes()));
    }

    @Override
    protected String hostReadyMessage(Matcher ready) {
        return "Host node ready: sshd and fs serve on a tmpfs; /proc row reads host pid " + ready.group(1) + ".";
    }

    @Override
    protected List<String> dpuArgs(Path layout, Matcher hostReady) {
        return List.of("fs", "dpu-side", "--layout", layout.toString(), "--proc-pid", hostReady.group(1));
    }

    @Override
    protected List<String> table(FsBenchReport report, MachineInfo machine, String loadAverages) {
        return FsBenchTable.render(report, machine, loadAverages);
    }
}
