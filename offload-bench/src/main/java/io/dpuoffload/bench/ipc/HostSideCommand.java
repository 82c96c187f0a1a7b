package io.dpuoffload.bench.ipc;

import io.dpuoffload.bench.ChildProcess;
import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.StopSignal;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code offload-bench ipc host-side} (hidden; {@code offload-bench ipc} starts it on the host node): the sink and echo
 * server on the host's socket, then as children socat (TCP → that socket) and {@code ipc serve}. Prints {@code READY}
 * and serves until SIGTERM, then stops both by pid.
 */
@Command(
        name = "host-side",
        hidden = true,
        description = "For `offload-bench ipc`: a sink and echo server behind socat and ipc serve on the host node.")
final class HostSideCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(HostSideCommand.class);

    static final String READY = "READY";

    /** socat starts in milliseconds, ipc serve in a few seconds; ten times that on a busy machine is stuck. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    static final Duration CHILD_STOP_GRACE = Duration.ofSeconds(10);

    private static final Duration POLL = Duration.ofMillis(50);

    @Option(names = "--layout", paramLabel = "DIR", required = true, description = "The benchmark's directory.")
    java.nio.file.Path layoutRoot;

    @Spec
    CommandSpec spec;

    private final Deque<AutoCloseable> undo = new ArrayDeque<>();

    @Override
    public Integer call() throws Exception {
        IpcBenchLayout layout = new IpcBenchLayout(layoutRoot);
        StopSignal stop = new StopSignal(CHILD_STOP_GRACE.multipliedBy(3));
        try {
            SinkServer sink = SinkServer.start(layout.hostSink());
            undo.push(sink);

            ChildProcess socat = ChildProcess.start("socat", Socat.hostCommand(layout.hostSink()), Map.of());
            undo.push(() -> socat.stop(CHILD_STOP_GRACE));
            awaitListening(socat);

            ChildProcess serve = ChildProcess.offloadctl(
                    "ipc serve",
                    List.of("ipc", "serve", "--config", layout.hostConfig().toString()),
                    Map.of());
            undo.push(() -> serve.stop(CHILD_STOP_GRACE));
            serve.awaitLine(Pattern.compile("^READY "), START_TIMEOUT);

            for (ChildProcess child : List.of(socat, serve)) {
                child.onExit(() -> {
                    log.error("{} ended unexpectedly; stopping. Its output:\n{}", child, child.tail());
                    stop.request();
                });
            }
            spec.commandLine().getOut().println(READY);
            spec.commandLine().getOut().flush();
            stop.await();
        } finally {
            while (!undo.isEmpty()) {
                try {
                    undo.pop().close();
                } catch (Exception e) {
                    log.warn("cleaning up the host side: {}", e.getMessage());
                }
            }
            stop.done();
        }
        return ExitCodes.OK;
    }

    private static void awaitListening(ChildProcess socat) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Socat.listening(IpcBenchLayout.SOCAT_PORT)) {
            if (!socat.isAlive()) {
                throw new IllegalStateException(socat + " ended without listening; its output:\n" + socat.tail());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(socat + " did not listen on port " + IpcBenchLayout.SOCAT_PORT
                        + " within " + START_TIMEOUT.toSeconds() + " s; its output:\n" + socat.tail());
            }
            Thread.sleep(POLL.toMillis());
        }
    }
}
