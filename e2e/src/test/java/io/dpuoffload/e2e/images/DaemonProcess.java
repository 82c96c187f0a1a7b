package io.dpuoffload.e2e.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A daemon this test starts (containerd, dockerd): its output in a log file, readiness polled within a bound,
 * stopped by its own pid (SIGTERM, then SIGKILL) and never by name.
 */
final class DaemonProcess implements AutoCloseable {

    /** containerd and dockerd answer within a few seconds here; a daemon that does not, never will. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** dockerd stops its own containerd first; both take a few seconds. */
    static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private static final Duration READY_POLL = Duration.ofMillis(200);

    private final String name;
    private final Process process;
    private final Path log;

    private DaemonProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts COMMAND and waits until READY says so; fails (and stops it) with its log otherwise. */
    static DaemonProcess start(String name, List<String> command, Path log, BooleanSupplier ready)
            throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        DaemonProcess daemon = new DaemonProcess(name, process, log);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!ready.getAsBoolean()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String why = process.isAlive() ? "is not ready after " + START_TIMEOUT : "ended";
                daemon.close();
                throw new IOException(
                        name + " (`" + String.join(" ", command) + "`) " + why + "; its log:\n" + daemon.logText());
            }
            Thread.sleep(READY_POLL);
        }
        return daemon;
    }

    long pid() {
        return process.pid();
    }

    String logText() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "(no log)";
    }

    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        // dockerd's own containerd is its child: ended with it normally, by pid here if dockerd had to be killed.
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
            System.err.println(
                    name + " (pid " + process.pid() + ") ignored SIGTERM for " + STOP_GRACE + "; killing it");
            process.destroyForcibly().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                System.err.println(name + " left pid " + child.pid() + " running; killing it");
                child.destroyForcibly();
                child.onExit().orTimeout(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }
}
