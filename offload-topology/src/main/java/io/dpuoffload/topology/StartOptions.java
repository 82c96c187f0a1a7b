package io.dpuoffload.topology;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How to start a node process. The process inherits this JVM's environment plus {@code environment}, and runs in
 * {@code workingDirectory} (this JVM's when absent).
 *
 * @param stopGrace how long {@link NodeProcess#stop()} waits after SIGTERM before SIGKILL; only used when the process
 *     handles SIGTERM at all (the init of a PID namespace ignores signals it has no handler for)
 */
public record StartOptions(Map<String, String> environment, Optional<Path> workingDirectory, Duration stopGrace) {

    /**
     * Long enough for a JVM or a daemon to run its shutdown hooks, short enough that a test's teardown stays quick.
     */
    public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(3);

    public StartOptions {
        environment = Map.copyOf(environment);
        Objects.requireNonNull(workingDirectory, "workingDirectory");
        if (stopGrace.isNegative()) {
            throw new IllegalArgumentException("stopGrace must not be negative, got " + stopGrace);
        }
    }

    public static StartOptions defaults() {
        return new StartOptions(Map.of(), Optional.empty(), DEFAULT_STOP_GRACE);
    }

    public StartOptions withEnvironment(String name, String value) {
        Map<String, String> env = new HashMap<>(environment);
        env.put(name, value);
        return new StartOptions(env, workingDirectory, stopGrace);
    }

    public StartOptions withWorkingDirectory(Path directory) {
        return new StartOptions(environment, Optional.of(directory), stopGrace);
    }

    public StartOptions withStopGrace(Duration grace) {
        return new StartOptions(environment, workingDirectory, grace);
    }
}
