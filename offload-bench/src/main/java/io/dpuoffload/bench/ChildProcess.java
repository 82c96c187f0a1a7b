package io.dpuoffload.bench;

import io.dpuoffload.cli.Offloadctl;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process a benchmark's node sides start in their own namespaces (sshd, sshfs, socat, {@code fs serve}, {@code ipc
 * connect}): its
 * stdout and stderr read line by line into a bounded memory, waited on by pattern, stopped by its pid. Stopping a node
 * side's JVM ends them too: that JVM is init of its PID namespace.
 */
public final class ChildProcess implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChildProcess.class);

    /** Lines kept for error messages and waits; these processes print a few dozen in a run. */
    private static final int KEPT_LINES = 500;

    /** After SIGKILL a process is gone at once; this bounds the wait for the kernel to say so. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);

    /**
     * As the topology starts node JVMs (see {@code Testbed.JVM_ARGS}): native access for FFM and Netty, and no
     * hsperfdata file, whose name is the pid and would collide across PID namespaces in the shared /tmp.
     */
    public static final List<String> JVM_ARGS = List.of("--enable-native-access=ALL-UNNAMED", "-XX:-UsePerfData");

    private final String name;
    private final Process process;
    private final Deque<String> lines = new ArrayDeque<>();
    private long printed;
    private boolean ended;
    private volatile boolean stopping;

    private ChildProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        Thread.ofVirtual().name("bench-out-" + name).start(this::pump);
    }

    /** Starts {@code command} with this process's environment plus {@code environment}; stderr joins stdout. */
    public static ChildProcess start(String name, List<String> command, Map<String, String> environment) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        try {
            ChildProcess child = new ChildProcess(name, builder.start());
            log.info("{} started, pid {}: {}", name, child.pid(), String.join(" ", command));
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot start " + name + " (" + command.getFirst() + "): " + e.getMessage(), e);
        }
    }

    /** {@code offloadctl ARGS} (a product command: {@code fs serve}, {@code ipc connect}, ...) in a new JVM. */
    public static ChildProcess offloadctl(String name, List<String> args, Map<String, String> environment) {
        return java(name, Offloadctl.class.getName(), args, environment);
    }

    /** {@code offload-bench ARGS} (one of the benchmarks' own hidden commands) in a new JVM. */
    public static ChildProcess bench(String name, List<String> args, Map<String, String> environment) {
        return java(name, OffloadBench.class.getName(), args, environment);
    }

    /** {@code mainClass ARGS} in a new JVM of this one's java and class path. */
    private static ChildProcess java(
            String name, String mainClass, List<String> args, Map<String, String> environment) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_ARGS);
        command.add("-cp");
        command.add(Arrays.stream(System.getProperty("java.class.path", "").split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator)));
        command.add(mainClass);
        command.addAll(args);
        return start(name, command, environment);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits for a line (printed since the start) in which {@code pattern} is found. Throws, with the last lines, when
     * the process ends first or {@code timeout} passes.
     */
    public String awaitLine(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long seen = 0;
        synchronized (lines) {
            while (true) {
                long first = printed - lines.size();
                int index = 0;
                for (String line : lines) {
                    if (first + index >= seen && pattern.matcher(line).find()) {
                        return line;
                    }
                    index++;
                }
                seen = printed;
                if (ended) {
                    throw new IllegalStateException(name + " ended (" + exitDescription() + ") without printing a line"
                            + " matching /" + pattern + "/; its output:\n" + tailLocked());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException(name + " printed no line matching /" + pattern + "/ within "
                            + timeout.toSeconds() + " s; its output:\n" + tailLocked());
                }
                TimeUnit.NANOSECONDS.timedWait(lines, left);
            }
        }
    }

    /** The last lines it printed, for error messages. */
    public String tail() {
        synchronized (lines) {
            return tailLocked();
        }
    }

    /** Runs {@code action} if the process ends by itself, not through {@link #stop}. */
    public void onExit(Runnable action) {
        process.onExit().thenRun(() -> {
            if (!stopping) {
                action.run();
            }
        });
    }

    /** SIGTERM, then SIGKILL after {@code grace}; waits until it is gone. Idempotent. */
    public void stop(Duration grace) {
        stopping = true;
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn(
                            "{} (pid {}) still running {} s after SIGTERM; killing it", name, pid(), grace.toSeconds());
                    process.destroyForcibly();
                    process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        log.info("{} (pid {}) stopped: {}", name, pid(), exitDescription());
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }

    private String exitDescription() {
        return process.isAlive() ? "still running" : "exit code " + process.exitValue();
    }

    private String tailLocked() {
        return lines.stream()
                .skip(Math.max(0, lines.size() - 40))
                .map(l -> "  " + l)
                .collect(Collectors.joining("\n"));
    }

    private void pump() {
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                log.debug("{}: {}", name, line);
                synchronized (lines) {
                    lines.addLast(line);
                    if (lines.size() > KEPT_LINES) {
                        lines.removeFirst();
                    }
                    printed++;
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            log.debug("{}: output closed: {}", name, e.getMessage());
        } finally {
            synchronized (lines) {
                ended = true;
                lines.notifyAll();
            }
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ")";
    }
}
