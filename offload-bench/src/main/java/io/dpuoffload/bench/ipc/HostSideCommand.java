package io.dpuoffload.bench.ipc;

import io.dpuoffload.bench.ChildProcess;
import io.dpuoffload.bench.HostSide;
import io.dpuoffload.cli.ExitCodes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
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

    private static final Duration POLL = Duration.ofMillis(50);

    @Option(names = "--layout", paramLabel = "DIR", required = true, description = "The benchmark's directory.")
    java.nio.file.Path layoutRoot;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        IpcBenchLayout layout = new IpcBenchLayout(layoutRoot);
        try (HostSide side = new HostSide()) {
            SinkServer sink = SinkServer.start(layout.hostSink());
            side.onClose(sink);

            ChildProcess socat = side.own(ChildProcess.start("socat", Socat.hostCommand(layout.hostSink()), Map.of()));
            awaitListening(socat);

            ChildProcess serve = side.own(ChildProcess.offloadctl(
                    "ipc serve",
                    List.of("ipc", "serve", "--config", layout.hostConfig().toString()),
                    Map.of()));
            serve.awaitLine(Pattern.compile("^READY "), HostSide.START_TIMEOUT);

            side.serveUntilStopped(spec.commandLine().getOut(), HostSide.READY, List.of(socat, serve));
        }
        return ExitCodes.OK;
    }

    private static void awaitListening(ChildProcess socat) throws Exception {
        long deadline = System.nanoTime() + HostSide.START_TIMEOUT.toNanos();
        while (!Socat.listening(IpcBenchLayout.SOCAT_PORT)) {
            if (!socat.isAlive()) {
                throw new IllegalStateException(socat + " ended without listening; its output:\n" + socat.tail());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(socat + " did not listen on port " + IpcBenchLayout.SOCAT_PORT
                        + " within " + HostSide.START_TIMEOUT.toSeconds() + " s; its output:\n" + socat.tail());
            }
            Thread.sleep(POLL.toMillis());
        }
    }
}
