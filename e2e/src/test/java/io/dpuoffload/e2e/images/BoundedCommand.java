package io.dpuoffload.e2e.images;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a client (ctr, docker, tar) to its end within a bound, its output captured in files (no reader threads). */
public final class BoundedCommand {

    /** What one run printed and how it ended. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public boolean succeeded() {
            return exitCode == 0;
        }

        public String describe() {
            return "`" + String.join(" ", command) + "` exited " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n"
                    + stderr;
        }
    }

    private BoundedCommand() {}

    public static Result run(Duration timeout, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("dpuo-command", ".out");
        Path err = Files.createTempFile("dpuo-command", ".err");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new IOException("`" + String.join(" ", command) + "` did not finish within " + timeout
                        + "\nstdout:\n" + Files.readString(out, StandardCharsets.UTF_8) + "\nstderr:\n"
                        + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new Result(
                    command,
                    process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Runs it and returns its stdout, or fails with everything it printed. */
    public static String check(Duration timeout, List<String> command) throws IOException, InterruptedException {
        Result result = run(timeout, command);
        if (!result.succeeded()) {
            throw new IOException(result.describe());
        }
        return result.stdout();
    }
}
