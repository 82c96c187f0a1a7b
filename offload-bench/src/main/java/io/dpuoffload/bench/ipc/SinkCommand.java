package io.dpuoffload.bench.ipc;

import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.StopSignal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code offload-bench ipc sink} (hidden; the DPU side starts it for the direct column): a {@link SinkServer} on
 * {@code --socket} until SIGTERM. Prints {@code LISTENING} once bound.
 */
@Command(
        name = "sink",
        hidden = true,
        description = "For `offload-bench ipc`: serve the sink and echo on a Unix socket until SIGTERM.")
final class SinkCommand implements Callable<Integer> {

    static final String LISTENING = "LISTENING";

    @Option(names = "--socket", paramLabel = "PATH", required = true, description = "The socket to bind.")
    Path socket;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        StopSignal stop = new StopSignal(Duration.ofSeconds(5));
        try (SinkServer sink = SinkServer.start(socket)) {
            spec.commandLine().getOut().println(LISTENING + " " + socket);
            spec.commandLine().getOut().flush();
            stop.await();
        } finally {
            stop.done();
        }
        return ExitCodes.OK;
    }
}
