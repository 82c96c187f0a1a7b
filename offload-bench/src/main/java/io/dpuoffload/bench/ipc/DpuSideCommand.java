package io.dpuoffload.bench.ipc;

import io.dpuoffload.bench.ChildProcess;
import io.dpuoffload.bench.HostSide;
import io.dpuoffload.bench.TwoSidedBenchCommand;
import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.channel.Latencies;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code offload-bench ipc dpu-side} (hidden; {@code offload-bench ipc} starts it on the DPU node): starts its own sink
 * (the direct column), socat and {@code ipc connect} as children, measures every row through each, prints progress
 * lines and then one JSON line (see {@link IpcBenchReport}), and stops its children by pid — also when it fails or
 * gets SIGTERM.
 */
@Command(
        name = "dpu-side",
        hidden = true,
        description =
                "For `offload-bench ipc`: measure direct, socat and offload-ipc from the DPU node; print one JSON line.")
final class DpuSideCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(DpuSideCommand.class);

    /** Lines {@code offload-bench ipc} relays to its user as they come. */
    private static final Duration START_TIMEOUT = HostSide.START_TIMEOUT;

    private static final Duration CHILD_STOP_GRACE = HostSide.CHILD_STOP_GRACE;
    private static final Duration POLL = Duration.ofMillis(50);

    @Option(names = "--layout", paramLabel = "DIR", required = true, description = "The benchmark's directory.")
    Path layoutRoot;

    @Mixin
    IpcBenchOptions options;

    @Spec
    CommandSpec spec;

    private final Deque<ChildProcess> children = new ArrayDeque<>();
    private boolean stopped;
    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        IpcBenchLoad load = options.check(spec);
        out = spec.commandLine().getOut();
        IpcBenchLayout layout = new IpcBenchLayout(layoutRoot);
        // SIGTERM (ipc bench stopping after Ctrl-C or a failure): stop the children now; the measurement in progress
        // then fails on its vanished socket and the JVM exits.
        Thread cleanup = new Thread(this::stopChildren, "ipc-bench-stop");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            startBridges(layout);
            progress("direct sink, socat and ipc connect up; warming up (not measured)");
            LoadClient client = new LoadClient();
            run(client, layout, load.warmUp(), IpcBenchReport.empty(load.warmUp()), "warm-up");
            IpcBenchReport report = IpcBenchReport.empty(load);
            for (int run = 1; run <= load.runs(); run++) {
                report = run(client, layout, load, report, "run " + run + "/" + load.runs());
            }
            out.println(report.toJson());
            out.flush();
        } finally {
            stopChildren();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run: the children are gone either way
            }
        }
        return ExitCodes.OK;
    }

    /** Every row through every bridge, row by row, so a change of load during a run touches all three alike. */
    private IpcBenchReport run(
            LoadClient client, IpcBenchLayout layout, IpcBenchLoad load, IpcBenchReport report, String label)
            throws Exception {
        List<String> rates = new ArrayList<>();
        for (Bridge bridge : Bridge.values()) {
            double rate = client.stream(layout.socketFor(bridge), load.bytes());
            report = report.with(bridge, Metric.STREAM, rate);
            rates.add(bridge.key + " " + String.format(Locale.ROOT, "%.0f", rate) + " MB/s");
        }
        progress(label + ": " + Metric.STREAM.label(load) + ": " + String.join(", ", rates));
        List<String> times = new ArrayList<>();
        for (Bridge bridge : Bridge.values()) {
            Latencies latencies = client.pingPong(
                    layout.socketFor(bridge), IpcBenchLoad.CONNECTION_WARM_UP_ROUND_TRIPS, load.roundTrips());
            report = report.with(bridge, Metric.PING_P50, latencies.p50Micros())
                    .with(bridge, Metric.PING_P99, latencies.p99Micros());
            times.add(bridge.key + " " + latencies.describe());
        }
        progress(label + ": " + load.roundTrips() + " round trips of 1 byte: " + String.join("; ", times));
        return report;
    }

    private void startBridges(IpcBenchLayout layout) throws Exception {
        ChildProcess sink = start(ChildProcess.bench(
                "direct sink",
                List.of("ipc", "sink", "--socket", layout.dpuSink().toString()),
                Map.of()));
        sink.awaitLine(Pattern.compile("^" + SinkCommand.LISTENING), START_TIMEOUT);

        ChildProcess socat = start(ChildProcess.start("socat", Socat.dpuCommand(layout.socatSocket()), Map.of()));
        awaitSocket(layout.socatSocket(), socat);

        ChildProcess connect = start(ChildProcess.offloadctl(
                "ipc connect",
                List.of(
                        "ipc",
                        "connect",
                        "--server",
                        IpcBenchLayout.ipcEndpoint(),
                        "--config",
                        layout.dpuConfig().toString()),
                Map.of()));
        connect.awaitLine(Pattern.compile("^CONNECTED "), START_TIMEOUT);
        awaitSocket(layout.forwardSocket(), connect);
    }

    private synchronized ChildProcess start(ChildProcess child) {
        if (stopped) {
            child.stop(CHILD_STOP_GRACE);
            throw new IllegalStateException("stopping: not starting anything more");
        }
        children.push(child);
        return child;
    }

    /** Stops the children by pid, the last started first. Idempotent. */
    private synchronized void stopChildren() {
        stopped = true;
        while (!children.isEmpty()) {
            ChildProcess child = children.pop();
            try {
                child.stop(CHILD_STOP_GRACE);
            } catch (RuntimeException e) {
                log.warn("stopping {}: {}", child, e.getMessage());
            }
        }
    }

    /** socat and ipc connect say nothing once their socket exists: watch for it. */
    private static void awaitSocket(Path socket, ChildProcess owner) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.exists(socket)) {
            if (!owner.isAlive()) {
                throw new IllegalStateException(
                        owner + " ended without creating " + socket + "; its output:\n" + owner.tail());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(owner + " did not create " + socket + " within "
                        + START_TIMEOUT.toSeconds() + " s; its output:\n" + owner.tail());
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private void progress(String line) {
        out.println(TwoSidedBenchCommand.PROGRESS + line);
        out.flush();
    }
}
