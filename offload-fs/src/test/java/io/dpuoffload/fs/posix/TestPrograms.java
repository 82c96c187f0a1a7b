package io.dpuoffload.fs.posix;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Small C and Go programs the tests build from their resources (`signals/`) and run on the mount:
 * only a real program has signal handlers, timers and a Go runtime. gcc, libc6-dev and golang-go
 * are in ./dpuo's package list, so CI has them.
 */
final class TestPrograms {
    /** How long a build may take: a cold Go build compiles its runtime, about half a minute here. */
    private static final long BUILD_SECONDS = 300;

    private final Path dir;

    TestPrograms(Path dir) {
        this.dir = dir;
    }

    /** Builds {@code signals/NAME.c} with gcc; the program's path. */
    Path c(String name) throws Exception {
        Path source = copy(name + ".c");
        Path program = dir.resolve(name + "-c");
        build(List.of("gcc", "-O2", "-Wall", "-o", program.toString(), source.toString()), Map.of());
        return program;
    }

    /** Builds {@code signals/NAME.go} with go build, outside any module and offline; the program's path. */
    Path go(String name) throws Exception {
        Path source = copy(name + ".go");
        Path program = dir.resolve(name + "-go");
        build(
                List.of("go", "build", "-o", program.toString(), source.toString()),
                Map.of(
                        "GO111MODULE",
                        "off",
                        "GOFLAGS",
                        "",
                        "CGO_ENABLED",
                        "0",
                        "GOCACHE",
                        dir.resolve("go-cache").toString(),
                        "GOPATH",
                        dir.resolve("go-path").toString(),
                        "HOME",
                        dir.toString()));
        return program;
    }

    /** Runs {@code command} to its end (at most {@code seconds}); what it printed, after asserting it exited 0. */
    static String run(List<String> command, long seconds) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(command + " did not end within " + seconds + " s");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("%s: %s", command, output).isZero();
        return output;
    }

    private Path copy(String resource) throws IOException {
        Path source = dir.resolve(resource);
        try (InputStream in = TestPrograms.class.getResourceAsStream("/signals/" + resource)) {
            assertThat(in).as("test resource signals/%s", resource).isNotNull();
            Files.copy(in, source, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return source;
    }

    private static void build(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new AssertionError(command.getFirst() + " is not installed (./dpuo installs gcc and golang-go)", e);
        }
        if (!process.waitFor(BUILD_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not end within " + BUILD_SECONDS + " s");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("%s: %s", command, output).isZero();
    }
}
