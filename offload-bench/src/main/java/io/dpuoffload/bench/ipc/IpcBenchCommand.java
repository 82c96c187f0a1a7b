package io.dpuoffload.bench.ipc;

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
 * {@code offload-bench ipc}: offload-ipc against socat and a direct Unix socket, as seen from a DPU node. See
 * docs/benchmarks.md.
 *
 * <p>This JVM only prepares files and starts the two node sides; they do everything in their namespaces (see {@link
 * HostSideCommand} and {@link DpuSideCommand}). It never connects to a node address.
 */
@Command(
        name = "ipc",
        mixinStandardHelpOptions = true,
        subcommands = {HostSideCommand.class, DpuSideCommand.class, SinkCommand.class},
        synopsisSubcommandLabel = "",
        description = {
            "Compare offload-ipc with socat and a direct Unix socket on this machine (as root).",
            "",
            "A host and a DPU node in two network namespaces joined by a veth pair. A",
            "client on the DPU streams to a sink and does 1-byte round trips to an echo:",
            "one in the DPU node itself (direct), and one on the host reached through",
            "socat (Unix -> plain TCP -> Unix) and through offload-ipc (ipc connect with",
            "a forward, ipc serve; mutual TLS). Prints medians and offload-ipc's ratios;",
            "with the defaults it takes about two minutes. Needs socat. See docs/benchmarks.md."
        })
public final class IpcBenchCommand extends TwoSidedBenchCommand<IpcBenchLoad, IpcBenchReport> {

    public IpcBenchCommand() {
        super(
                IpcBenchReport.class,
                "the benchmark creates network namespaces",
                Pattern.compile("^" + HostSide.READY + "$"));
    }

    @Mixin
    IpcBenchOptions options;

    @Override
    protected IpcBenchLoad load() {
        return options.check(spec);
    }

    @Override
    protected Optional<String> missingTools() {
        return Socat.missing();
    }

    @Override
    protected String headline() {
        return "Unix socket benchmark, as seen from the DPU node (" + Topology.DPU_ADDRESS + "): a direct socket,"
                + " socat and offload-ipc to the host node (" + Topology.HOST_ADDRESS + ").";
    }

    @Override
    protected BenchStage stage(PrintWriter err) {
        return BenchStage.create(
                IpcBenchLayout.PREFIX,
                IpcBenchLayout::prepare,
                "each stopped its sink, socat and ipc serve or ipc connect by pid",
                err);
    }

    @Override
    protected List<String> hostArgs(Path layout, IpcBenchLoad load) {
        return List.of("ipc", "host-side", "--layout", layout.toString());
    }

    @Override
    protected String hostReadyMessage(Matcher ready) {
        return "Host node ready: a sink and echo server, behind socat (port " + IpcBenchLayout.SOCAT_PORT
                + ") and ipc serve (" + IpcBenchLayout.ipcEndpoint() + ").";
    }

    @Override
    protected List<String> dpuArgs(Path layout, Matcher hostReady) {
        return List.of("ipc", "dpu-side", "--layout", layout.toString());
    }

    @Override
    protected List<String> table(IpcBenchReport report, MachineInfo machine, String loadAverages) {
        return IpcBenchTable.render(report, machine, loadAverages);
    }
}
