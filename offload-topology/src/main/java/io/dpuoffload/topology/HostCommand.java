package io.dpuoffload.topology;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a short administrative command ({@code ip netns ...}) in this JVM's own namespaces and waits for it, bounded.
 * Node processes go through {@link Node#start}; this is only for setting up and tearing down.
 */
final class HostCommand {

    /** {@code ip} commands finish in milliseconds; this only guards against a wedged kernel or tool. */
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    private HostCommand() {}

    static CommandResult run(List<String> command) {
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new TopologyException("cannot run `" + String.join(" ", command) + "`: " + e.getMessage(), e);
        }
        Future<String> stdout = readAll(process.getInputStream());
        Future<String> stderr = readAll(process.getErrorStream());
        try {
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new TopologyException("`" + String.join(" ", command) + "` did not finish within " + TIMEOUT);
            }
            return new CommandResult(
                    command,
                    process.exitValue(),
                    stdout.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS),
                    stderr.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new TopologyException("interrupted while running `" + String.join(" ", command) + "`", e);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new TopologyException("cannot read the output of `" + String.join(" ", command) + "`", e);
        }
    }

    private static Future<String> readAll(InputStream in) {
        FutureTask<String> task = new FutureTask<>(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        Thread.ofPlatform().daemon().name("dpuo-host-command-reader").start(task); // a pipe read holds a carrier
        return task;
    }
}
