package io.dpuoffload.agent.dpu;

import io.dpuoffload.api.spec.Daemon;
import io.dpuoffload.api.spec.Health;
import io.dpuoffload.api.status.DaemonStatus;
import io.dpuoffload.api.status.HealthVerdict;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon under the {@link DaemonSupervisor}: its process and what it prints, its readiness, its
 * restarts after it ends (the restart policy, with back-off), its health checks and its stop.
 */
final class SupervisedDaemon {
    private static final Logger log = LoggerFactory.getLogger(DaemonSupervisor.class);

    private final DaemonSupervisor supervisor;
    private final Daemon daemon;
    /** The current (or last) run; read by the supervisor to tell its daemons' pids. */
    volatile Process process;

    private volatile boolean stopping;
    /** Failed health checks ended the daemon: start it again at once, whatever its restart policy. */
    private volatile boolean unhealthy;

    private volatile int restarts;
    /** Its last exit status; null before it ever ended. */
    private volatile Integer lastExit;
    /** The last health check's verdict, for the status; null before the first. */
    private volatile HealthVerdict health;
    /** What the current (or last) run printed last. */
    private final LastLines said = new LastLines();

    private volatile Thread relaying;

    SupervisedDaemon(Daemon daemon, DaemonSupervisor supervisor) {
        this.daemon = daemon;
        this.supervisor = supervisor;
    }

    void launch() throws IOException {
        List<String> command = new ArrayList<>(DaemonSupervisor.DIE_WITH_AGENT);
        command.addAll(List.of(DaemonSupervisor.CHROOT, supervisor.root.toString()));
        command.addAll(daemon.command());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(supervisor.environment);
        builder.environment().putAll(daemon.environment());
        Process started;
        synchronized (supervisor.launching) {
            started = supervisor.launcher.launch(builder);
            process = started;
        }
        started.getOutputStream().close();
        log.info("[{}] started, pid {}", daemon.name(), started.pid());
        said.clear();
        relaying = Thread.ofPlatform().daemon().name("log-" + daemon.name()).start(() -> relay(started));
    }

    private void relay(Process from) {
        Logger output = LoggerFactory.getLogger("daemon." + daemon.name());
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(from.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                output.info("[{}] {}", daemon.name(), line);
                said.add(line);
            }
        } catch (IOException e) {
            // it ended
        }
    }

    void awaitReady() throws IOException, InterruptedException {
        if (daemon.ready() == null) {
            return;
        }
        Path readySocket = daemon.ready().socket();
        long deadline = supervisor.ticker.nanoTime() + daemon.ready().timeout().toNanos();
        // A listening socket at that path now, not the file: a crash leaves the last
        // instance's file behind (and a test connection would be an error in the daemon's log).
        while (!supervisor.sockets.listensAt(readySocket)) {
            if (!process.isAlive()) {
                lastExit = process.exitValue();
                Thread relay = relaying;
                if (relay != null) {
                    relay.join(DaemonSupervisor.RELAY_DRAIN.toMillis()); // its last words, for the status
                }
                throw new IOException(daemon.name() + " exited with " + process.exitValue()
                        + " before it was ready (nothing listened at " + readySocket
                        + "); see its log lines above");
            }
            if (supervisor.ticker.nanoTime() > deadline) {
                throw new IOException(daemon.name() + " was not ready within "
                        + daemon.ready().timeout() + " (nothing listens at " + readySocket + " in the root)");
            }
            supervisor.ticker.sleep(DaemonSupervisor.READY_POLL);
        }
        log.info("[{}] ready ({} listens)", daemon.name(), readySocket);
        supervisor.changed.run();
    }

    void watch() {
        Duration backoff = DaemonSupervisor.FIRST_BACKOFF;
        while (true) {
            int code;
            try {
                code = process.waitFor();
            } catch (InterruptedException e) {
                return;
            }
            lastExit = code;
            if (stopping) {
                return;
            }
            supervisor.changed.run();
            // After failed health checks the agent ended it, and a daemon that shuts down
            // cleanly on SIGTERM exits 0: "on-failure" must not read that as its own choice.
            boolean forHealth = unhealthy;
            unhealthy = false;
            boolean again = forHealth || daemon.restart().restartsAfter(code);
            Duration wait = forHealth ? Duration.ZERO : backoff;
            log.warn(
                    "[{}] exited with {}; {}",
                    daemon.name(),
                    code,
                    again
                            ? "restarting "
                                    + (forHealth ? "now (failed health checks)" : "in " + wait.toMillis() + " ms")
                            : "not restarted (restart: " + daemon.restart() + ")");
            if (!again) {
                return;
            }
            try {
                supervisor.ticker.sleep(wait);
                if (stopping) {
                    return;
                }
                restarts++;
                launch();
                awaitReady();
                backoff = DaemonSupervisor.FIRST_BACKOFF;
            } catch (IOException e) {
                log.warn("[{}] restart failed: {}", daemon.name(), e.getMessage());
                backoff = backoff.multipliedBy(2).compareTo(DaemonSupervisor.MAX_BACKOFF) > 0
                        ? DaemonSupervisor.MAX_BACKOFF
                        : backoff.multipliedBy(2);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Every interval while it runs: asks the daemon, as a client would, whether it works; after
     * the profile's number of failures in a row, restarts it (SIGTERM, then the restart policy).
     */
    void checkHealth(HealthProbe probe) {
        Health check = daemon.health();
        int failures = 0;
        for (boolean first = true; !stopping; first = false) {
            try {
                supervisor.ticker.sleep(first ? Duration.ZERO : check.interval()); // the first right after ready
            } catch (InterruptedException e) {
                return;
            }
            Process current = process;
            if (stopping || current == null || !current.isAlive()) {
                continue; // the watcher restarts it; the next check sees the new one
            }
            try {
                String answer = DaemonSupervisor.answerWithin(probe::check, DaemonSupervisor.HEALTH_TIMEOUT);
                if (failures > 0 || health == null) {
                    log.info("[{}] healthy: {}", daemon.name(), answer);
                }
                failures = 0;
                health = new HealthVerdict(true, answer, 0, check.failures());
            } catch (Exception e) {
                failures++;
                health = new HealthVerdict(false, String.valueOf(e.getMessage()), failures, check.failures());
                log.warn(
                        "[{}] health check through {} failed ({} of {}): {}",
                        daemon.name(),
                        probe.target(),
                        failures,
                        check.failures(),
                        e.getMessage());
                if (failures >= check.failures() && current.isAlive() && !stopping) {
                    log.warn("[{}] failed {} health checks in a row; restarting it", daemon.name(), failures);
                    failures = 0;
                    unhealthy = true;
                    end(current); // the watcher starts it again as soon as it is gone
                }
            }
            supervisor.changed.run();
        }
    }

    void stop() {
        stopping = true;
        Process current = process;
        if (current == null || !current.isAlive()) {
            return;
        }
        end(current);
        log.info("[{}] stopped", daemon.name());
    }

    /**
     * SIGTERM, and SIGKILL if it still runs after the stop grace: a daemon ends within the grace
     * (and the kill's own short wait) however it handles SIGTERM, so neither a stop nor a restart
     * waits on a shutdown that hangs.
     */
    private void end(Process current) {
        current.destroy(); // SIGTERM to chroot, which exec'd the daemon: the daemon itself
        try {
            if (current.waitFor(supervisor.stopGrace.toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
            log.warn("[{}] still running {} after SIGTERM; killing it", daemon.name(), supervisor.stopGrace);
            current.destroyForcibly();
            if (!current.waitFor(DaemonSupervisor.KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.error(
                        "[{}] pid {} still there {} after SIGKILL (stuck in the kernel?)",
                        daemon.name(),
                        current.pid(),
                        DaemonSupervisor.KILL_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    DaemonStatus state() {
        Process current = process;
        boolean alive = current != null && current.isAlive();
        return new DaemonStatus(
                daemon.name(),
                alive,
                alive ? current.pid() : null,
                restarts,
                lastExit,
                health,
                alive ? List.of() : said.snapshot());
    }
}
