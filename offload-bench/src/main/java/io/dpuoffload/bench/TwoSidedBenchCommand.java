package io.dpuoffload.bench;

import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.MachineInfo;
import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.Prerequisites;
import io.dpuoffload.topology.StartOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The run that {@code offload-bench fs} and {@code offload-bench ipc} share: this JVM prepares the working directory
 * and the topology, starts the benchmark's hidden {@code host-side} command on the host node and waits for its READY
 * line, then its {@code dpu-side} command on the DPU node, shows that side's progress lines as they come and reads its
 * result, the last JSON line it prints; then the table, the raw result, and what was cleaned up. It never connects to
 * a node address: the two sides do everything in their namespaces.
 *
 * @param <L> the checked workload sizes
 * @param <R> the DPU side's report
 */
public abstract class TwoSidedBenchCommand<L extends Workload, R> implements Callable<Integer> {

    /** The host side starts a few servers, one or two of them JVMs; ten times what that takes means it is stuck. */
    public static final Duration HOST_READY_TIMEOUT = Duration.ofSeconds(120);

    /** The DPU side bounds each measurement itself; this only ends one that hangs outright. */
    public static final Duration DPU_TIMEOUT = Duration.ofMinutes(20);

    /** Node sides unmount and stop their children on SIGTERM: two JVMs' shutdown on a busy 2-core machine. */
    public static final Duration NODE_STOP_GRACE = Duration.ofSeconds(30);

    /** The DPU side's lines that start with this are shown to the user (without it) while it measures. */
    public static final String PROGRESS = "progress: ";

    @Spec
    protected CommandSpec spec;

    /** The DPU side's report, as {@link Series#fromJson} reads it. */
    private final Class<R> reportType;

    /** Why the benchmark needs root: {@code "the benchmark creates network namespaces"}. */
    private final String whyRoot;

    /** The host side's READY line; its groups are what the host tells the DPU side. */
    private final Pattern hostReady;

    protected TwoSidedBenchCommand(Class<R> reportType, String whyRoot, Pattern hostReady) {
        this.reportType = reportType;
        this.whyRoot = whyRoot;
        this.hostReady = hostReady;
    }

    /** The options, checked: a bad value is a usage error, before anything is set up. */
    protected abstract L load();

    /** What is missing on this machine (a program, with its Debian package), if anything. */
    protected abstract Optional<String> missingTools();

    /** What the run compares, as seen from where, printed first. */
    protected abstract String headline();

    /** The working directory (prepared) and the topology; see {@link BenchStage#create}. */
    protected abstract BenchStage stage(PrintWriter err);

    /** The hidden host-side command line, in this tree ({@code fs host-side --layout ...}). */
    protected abstract List<String> hostArgs(Path layout, L load);

    /** What the user is told once the host side is ready. */
    protected abstract String hostReadyMessage(Matcher ready);

    /** The hidden DPU-side command line, in this tree ({@code fs dpu-side --layout ...}), before the workload's options. */
    protected abstract List<String> dpuArgs(Path layout, Matcher hostReady);

    protected abstract List<String> table(R report, MachineInfo machine, String loadAverages);

    @Override
    public final Integer call() throws Exception {
        L load = load();
        if (!Prerequisites.isRoot()) {
            throw new IllegalStateException("run me as root (e.g. sudo " + spec.qualifiedName() + "): " + whyRoot);
        }
        missingTools().ifPresent(message -> {
            throw new IllegalStateException(message);
        });
        PrintWriter out = spec.commandLine().getOut();
        out.println(headline());
        out.println("Measuring " + load.describe() + "; this takes a few minutes...");
        out.flush();
        String loadBefore = MachineInfo.loadAverage();
        long started = System.nanoTime();

        BenchStage stage = stage(spec.commandLine().getErr());
        try {
            R report = measure(stage, load, out);
            String loadAverages = loadBefore + " at the start, " + MachineInfo.loadAverage() + " at the end; took "
                    + Duration.ofNanos(System.nanoTime() - started).toSeconds() + " s";
            out.println();
            table(report, MachineInfo.current(), loadAverages).forEach(out::println);
            out.println();
            out.println("Raw: " + Series.toJson(report));
        } finally {
            out.println("Cleaned up: " + String.join("; ", stage.tearDown()) + ".");
            out.flush();
        }
        return ExitCodes.OK;
    }

    private R measure(BenchStage stage, L load, PrintWriter out) throws InterruptedException {
        Path layout = stage.root();
        StartOptions options = StartOptions.defaults().withStopGrace(NODE_STOP_GRACE);
        NodeProcess host = stage.topology()
                .host()
                .startJava(OffloadBench.class.getName(), ChildProcess.JVM_ARGS, hostArgs(layout, load), options);
        Matcher ready = hostReady.matcher(host.awaitLine(hostReady, HOST_READY_TIMEOUT));
        if (!ready.find()) {
            throw new IllegalStateException("the host side's READY line does not match /" + hostReady + "/");
        }
        out.println(hostReadyMessage(ready));
        out.flush();

        List<String> dpuArgs = new ArrayList<>(dpuArgs(layout, ready));
        dpuArgs.addAll(load.toArgs());
        NodeProcess dpu =
                stage.topology().dpu().startJava(OffloadBench.class.getName(), ChildProcess.JVM_ARGS, dpuArgs, options);
        ProgressRelay.relay(dpu, PROGRESS, out, DPU_TIMEOUT);
        int exit = dpu.waitFor(NODE_STOP_GRACE);
        if (exit != ExitCodes.OK) {
            throw new IllegalStateException("the DPU side failed with exit code " + exit + ":\n" + dpu.stderr()
                    + "the host side's log:\n" + host.stderr());
        }
        // The DPU side first (it unmounts what the host serves), then the host; each would stop in that order anyway.
        dpu.stop();
        host.stop();
        return dpu.stdout()
                .lines()
                .filter(line -> line.startsWith("{"))
                .reduce((first, second) -> second)
                .map(json -> Series.fromJson(json, reportType))
                .orElseThrow(() -> new IllegalStateException(
                        "the DPU side printed no result; its output:\n" + dpu.stdout() + dpu.stderr()));
    }
}
