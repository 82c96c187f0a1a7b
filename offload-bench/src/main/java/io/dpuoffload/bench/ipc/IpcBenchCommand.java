package io.dpuoffload.bench.ipc;

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
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

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
public final class IpcBenchCommand implements Callable<Integer> {

    /** The host side starts socat and one JVM; ten times what that takes means it is stuck. */
    static final Duration HOST_READY_TIMEOUT = Duration.ofSeconds(120);

    /** The DPU side bounds each measurement itself; this only ends one that hangs outright. */
    static final Duration DPU_TIMEOUT = Duration.ofMinutes(20);

    /** Node sides stop their children on SIGTERM: two JVMs' shutdown on a busy 2-core machine. */
    static final Duration NODE_STOP_GRACE = Duration.ofSeconds(30);

    private static final Pattern HOST_READY = Pattern.compile("^" + HostSideCommand.READY + "$");

    @Mixin
    IpcBenchOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        IpcBenchLoad load = options.check(spec);
        if (!Prerequisites.isRoot()) {
            throw new IllegalStateException(
                    "run me as root (e.g. sudo offload-bench ipc): the benchmark creates network namespaces");
        }
        Socat.missing().ifPresent(message -> {
            throw new IllegalStateException(message);
        });
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "Unix socket benchmark, as seen from the DPU node (%s): a direct socket, socat and offload-ipc to the"
                        + " host node (%s).%n",
                Topology.DPU_ADDRESS, Topology.HOST_ADDRESS);
        out.printf("Measuring %s; this takes a few minutes...%n", load.describe());
        out.flush();
        String loadBefore = MachineInfo.loadAverage();
        long started = System.nanoTime();

        BenchStage stage = BenchStage.create(
                IpcBenchLayout.PREFIX,
                IpcBenchLayout::prepare,
                "each stopped its sink, socat and ipc serve or ipc connect by pid",
                spec.commandLine().getErr());
        try {
            IpcBenchReport report = run(stage, load, out);
            String loadAverages = loadBefore + " at the start, " + MachineInfo.loadAverage() + " at the end; took "
                    + Duration.ofNanos(System.nanoTime() - started).toSeconds() + " s";
            out.println();
            IpcBenchTable.render(report, MachineInfo.current(), loadAverages).forEach(out::println);
            out.println();
            out.println("Raw: " + report.toJson());
        } finally {
            out.println("Cleaned up: " + String.join("; ", stage.tearDown()) + ".");
            out.flush();
        }
        return ExitCodes.OK;
    }

    private static IpcBenchReport run(BenchStage stage, IpcBenchLoad load, PrintWriter out)
            throws InterruptedException {
        String layout = stage.root().toString();
        StartOptions options = StartOptions.defaults().withStopGrace(NODE_STOP_GRACE);
        NodeProcess host = stage.topology()
                .host()
                .startJava(
                        OffloadBench.class.getName(),
                        ChildProcess.JVM_ARGS,
                        List.of("ipc", "host-side", "--layout", layout),
                        options);
        host.awaitLine(HOST_READY, HOST_READY_TIMEOUT);
        out.println("Host node ready: a sink and echo server, behind socat (port " + IpcBenchLayout.SOCAT_PORT
                + ") and ipc serve (" + IpcBenchLayout.ipcEndpoint() + ").");
        out.flush();

        List<String> args = new ArrayList<>(List.of("ipc", "dpu-side", "--layout", layout));
        args.addAll(load.toArgs());
        NodeProcess dpu =
                stage.topology().dpu().startJava(OffloadBench.class.getName(), ChildProcess.JVM_ARGS, args, options);
        ProgressRelay.relay(dpu, DpuSideCommand.PROGRESS, out, DPU_TIMEOUT);
        int exit = dpu.waitFor(NODE_STOP_GRACE);
        if (exit != ExitCodes.OK) {
            throw new IllegalStateException("the DPU side failed with exit code " + exit + ":\n" + dpu.stderr()
                    + "the host side's log:\n" + host.stderr());
        }
        dpu.stop();
        host.stop();
        return dpu.stdout()
                .lines()
                .filter(line -> line.startsWith("{"))
                .reduce((first, second) -> second)
                .map(IpcBenchReport::fromJson)
                .orElseThrow(() -> new IllegalStateException(
                        "the DPU side printed no result; its output:\n" + dpu.stdout() + dpu.stderr()));
    }
}
