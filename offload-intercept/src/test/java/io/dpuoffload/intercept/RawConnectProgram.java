package io.dpuoffload.intercept;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dpuoffload.linux.Seccomp;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * raw_connect, a static program that connects with raw system calls (no libc at all, as a Go
 * program), so that only seccomp interception can catch its connect: it waits for a byte on stdin,
 * connects to a Unix socket, sends a message and prints {@code REPLY <echo>} or {@code ERRNO <n>}.
 * Shared with offload-ipc's transparent-connect tests through this module's test jar.
 */
public final class RawConnectProgram {
    /** What every run sends; an echo server sends it back. */
    public static final String MESSAGE = "hello host";

    /** A program that does not finish in this long is stuck on its connect: the test fails instead. */
    private static final long FINISH_SECONDS = 20;

    /** Built once per test JVM. */
    private static RawConnectProgram built;

    private final Path binary;

    private RawConnectProgram(Path binary) {
        this.binary = binary;
    }

    /** The program, built on first use; skips the calling tests where seccomp or gcc is missing. */
    public static synchronized RawConnectProgram build() throws Exception {
        String missing = Seccomp.missingSupport();
        assumeTrue(missing == null, () -> "skipped: " + missing);
        if (built == null) {
            Path dir = Files.createTempDirectory("raw-connect");
            dir.toFile().deleteOnExit();
            built = build(dir);
        }
        return built;
    }

    private static RawConnectProgram build(Path dir) throws Exception {
        Path source = dir.resolve("raw_connect.c");
        try (InputStream in = RawConnectProgram.class.getResourceAsStream("/intercept/raw_connect.c")) {
            Files.copy(in, source);
        }
        source.toFile().deleteOnExit();
        Path binary = dir.resolve("raw_connect");
        Process gcc;
        try {
            gcc = new ProcessBuilder(
                            "gcc",
                            "-static",
                            "-nostdlib",
                            "-ffreestanding",
                            "-fno-stack-protector",
                            "-no-pie",
                            "-O1",
                            "-o",
                            binary.toString(),
                            source.toString())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            assumeTrue(
                    false,
                    "skipped: gcc is not installed (./dpuo installs it), so the raw-syscall program cannot be built");
            return null;
        }
        String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor()).as("gcc: %s", output).isZero();
        binary.toFile().deleteOnExit();
        return new RawConnectProgram(binary);
    }

    public Path binary() {
        return binary;
    }

    /** Starts it under {@code launcher}, to connect to {@code socket} once {@link #go} lets it. */
    public Process start(InterceptedLauncher launcher, Path socket) throws IOException {
        return launcher.launch(new ProcessBuilder(binary.toString(), socket.toString(), MESSAGE));
    }

    /** Starts it, lets it connect to {@code socket} at once, and returns its one line of output. */
    public String run(InterceptedLauncher launcher, Path socket) throws Exception {
        return go(start(launcher, socket));
    }

    /** Lets the program connect now; its one line of output. */
    public static String go(Process program) throws Exception {
        program.getOutputStream().write('g');
        program.getOutputStream().flush();
        assertThat(program.waitFor(FINISH_SECONDS, TimeUnit.SECONDS))
                .as("the program finished")
                .isTrue();
        return new String(program.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }
}
