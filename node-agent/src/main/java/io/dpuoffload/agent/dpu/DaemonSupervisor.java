package io.dpuoffload.agent.dpu;

import io.dpuoffload.api.spec.Daemon;
import io.dpuoffload.api.spec.Health;
import io.dpuoffload.api.status.DaemonStatus;
import io.dpuoffload.api.status.HealthVerdict;
import io.dpuoffload.intercept.InterceptedLauncher;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The offloaded daemons: each started in the offload root (chroot) under interception, in the
 * profile's order, each waited for until ready; restarted with backoff when it ends, as its
 * restart policy says; its output logged line by line with its name; checked for health while it
 * runs, and restarted after too many failed checks in a row; stopped in reverse order.
 */
final class DaemonSupervisor {
    private static final Logger log = LoggerFactory.getLogger(DaemonSupervisor.class);
    /**
     * The wait before a restart; doubled after each restart that fails (the daemon ends before it
     * is ready), so a crash loop does not keep the DPU busy, and back to this once one is ready.
     */
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    /** The back-off's bound: a daemon that can start again (its disk freed, its peer back) does within this. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /**
     * SIGTERM first; a daemon still running this much later is killed, when it is stopped and when
     * failed health checks restart it (a libvirtd that removed its socket but hangs in its shutdown).
     */
    static final Duration STOP_GRACE = Duration.ofSeconds(10);
    /** How long SIGKILL may take to end a daemon before the supervisor says so and goes on. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);
    /** How often readiness is looked for: a daemon's start takes tens of ms at the least. */
    private static final Duration READY_POLL = Duration.ofMillis(50);
    /** How long a daemon that ended at start gets for its last output to be read. */
    private static final Duration RELAY_DRAIN = Duration.ofSeconds(1);
    /** How often an earlier instance's socket is looked at while it shuts down. */
    private static final Duration EARLIER_INSTANCE_POLL = Duration.ofMillis(100);
    /** How long a health check may take before it counts as failed. */
    static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(10);

    private static final String CHROOT = "/usr/sbin/chroot";
    /**
     * A daemon gets SIGTERM when the agent dies (a crash, SIGKILL): the next agent starts it again,
     * and one left running would hold its pidfile and its API socket, under a seccomp filter whose
     * supervisor is gone. Its own children (libvirtd's QEMU shims) are not affected: the signal is
     * not inherited across fork.
     */
    private static final List<String> DIE_WITH_AGENT = List.of("/usr/bin/setpriv", "--pdeathsig", "TERM", "--");

    private final Path root;
    private final DaemonLauncher launcher;
    private final ListeningSockets sockets;
    private final Ticker ticker;
    private final Duration stopGrace;
    private final java.util.function.Function<Health, HealthProbe> probes;
    private final Map<String, String> environment;
    private final List<Supervised> running = new ArrayList<>();
    /** Held from a launch until the new daemon's pid is known, so the orphan reaper never takes it. */
    final Object launching = new Object();

    /** Told when a daemon's state changes (ready, ended), so the status file stays current. */
    private final Runnable changed;

    DaemonSupervisor(Path root, InterceptedLauncher launcher, Map<String, String> environment, Runnable changed) {
        this(root, launcher, environment, changed, STOP_GRACE, health -> HealthChecks.probe(health, root));
    }

    /** With another stop grace and health probe (tests: a daemon and a probe they control). */
    DaemonSupervisor(
            Path root,
            InterceptedLauncher launcher,
            Map<String, String> environment,
            Runnable changed,
            Duration stopGrace,
            java.util.function.Function<Health, HealthProbe> probes) {
        this(
                root,
                environment,
                changed,
                launcher::launch,
                socket -> io.dpuoffload.intercept.LocalListeners.listensAt(socket.toString()),
                Ticker.SYSTEM,
                stopGrace,
                probes);
    }

    /** Through the given seams (unit tests: processes, sockets and time the test controls). */
    DaemonSupervisor(
            Path root,
            Map<String, String> environment,
            Runnable changed,
            DaemonLauncher launcher,
            ListeningSockets sockets,
            Ticker ticker,
            Duration stopGrace,
            java.util.function.Function<Health, HealthProbe> probes) {
        this.changed = changed;
        this.root = root;
        this.launcher = launcher;
        this.sockets = sockets;
        this.ticker = ticker;
        this.environment = environment;
        this.stopGrace = stopGrace;
        this.probes = probes;
    }

    /**
     * Starts the daemons one after the other, each once the one before is ready: a daemon's
     * {@code after} names only daemons listed above it, so each finds those it needs ready.
     */
    void startInOrder(List<Daemon> daemons) throws IOException, InterruptedException {
        for (Daemon daemon : daemons) {
            start(daemon);
            changed.run();
        }
    }

    /** Starts {@code daemon} and waits until it is ready (or throws, naming why not). */
    void start(Daemon daemon) throws IOException, InterruptedException {
        Supervised supervised = new Supervised(daemon);
        synchronized (running) {
            running.add(supervised);
        }
        awaitEarlierInstanceGone(daemon);
        supervised.launch();
        supervised.awaitReady();
        Thread.ofPlatform().daemon().name("supervise-" + daemon.name()).start(supervised::watch);
        if (daemon.health() != null) {
            HealthProbe probe = probes.apply(daemon.health());
            Thread.ofVirtual().name("health-" + daemon.name()).start(() -> supervised.checkHealth(probe));
        }
    }

    /**
     * A killed agent's daemon gets SIGTERM as the agent dies, and may still be shutting down when
     * the next agent starts: a second one would find its pidfile taken and exit. Waits for the
     * earlier one's socket to go, up to the stop grace (a socket of that name that stays may be a
     * daemon of the DPU's own system, outside the root: ours starts anyway).
     */
    private void awaitEarlierInstanceGone(Daemon daemon) throws InterruptedException {
        if (daemon.ready() == null) {
            return;
        }
        Path socket = daemon.ready().socket();
        long deadline = ticker.nanoTime() + STOP_GRACE.toNanos();
        if (sockets.listensAt(socket)) {
            log.info("[{}] an earlier instance still listens at {}; waiting for it to end", daemon.name(), socket);
        }
        while (sockets.listensAt(socket)) {
            if (ticker.nanoTime() > deadline) {
                log.warn(
                        "[{}] something still listens at {} after {} (a {} outside the root?); starting ours anyway",
                        daemon.name(),
                        socket,
                        STOP_GRACE,
                        daemon.name());
                return;
            }
            ticker.sleep(EARLIER_INSTANCE_POLL);
        }
    }

    /**
     * A health check's answer, or a failure when none comes within {@code timeout}: a daemon that
     * accepts but never answers (hung) is what the check is for, and the client library's call
     * would wait for it without end. The call runs on a thread of its own, left to end when the
     * daemon's restart closes its socket.
     */
    static String answerWithin(java.util.concurrent.Callable<String> check, Duration timeout) throws Exception {
        java.util.concurrent.CompletableFuture<String> answer = new java.util.concurrent.CompletableFuture<>();
        Thread.ofPlatform().daemon().name("health-check").start(() -> {
            try {
                answer.complete(check.call());
            } catch (Exception | LinkageError e) {
                answer.completeExceptionally(e);
            }
        });
        try {
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new java.util.concurrent.TimeoutException("no answer within " + timeout);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** Each daemon: whether it runs now, its pid, restarts, last exit and health. */
    List<DaemonStatus> states() {
        synchronized (running) {
            return running.stream().map(Supervised::state).toList();
        }
    }

    /** Whether {@code pid} is one of the daemons as started (its own waiter reaps it). */
    boolean isDaemon(long pid) {
        synchronized (running) {
            return running.stream().map(d -> d.process).anyMatch(p -> p != null && p.pid() == pid);
        }
    }

    /** Stops every daemon, the last started first. */
    void stopAll() {
        List<Supervised> daemons;
        synchronized (running) {
            daemons = new ArrayList<>(running);
        }
        for (int i = daemons.size() - 1; i >= 0; i--) {
            daemons.get(i).stop();
        }
    }

    private final class Supervised {
        private final Daemon daemon;
        private volatile Process process;
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

        Supervised(Daemon daemon) {
            this.daemon = daemon;
        }

        void launch() throws IOException {
            List<String> command = new ArrayList<>(DIE_WITH_AGENT);
            command.addAll(List.of(CHROOT, root.toString()));
            command.addAll(daemon.command());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(environment);
            builder.environment().putAll(daemon.environment());
            Process started;
            synchronized (launching) {
                started = launcher.launch(builder);
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
            long deadline = ticker.nanoTime() + daemon.ready().timeout().toNanos();
            // A listening socket at that path now, not the file: a crash leaves the last
            // instance's file behind (and a test connection would be an error in the daemon's log).
            while (!sockets.listensAt(readySocket)) {
                if (!process.isAlive()) {
                    lastExit = process.exitValue();
                    Thread relay = relaying;
                    if (relay != null) {
                        relay.join(RELAY_DRAIN.toMillis()); // its last words, for the status
                    }
                    throw new IOException(daemon.name() + " exited with " + process.exitValue()
                            + " before it was ready (nothing listened at " + readySocket
                            + "); see its log lines above");
                }
                if (ticker.nanoTime() > deadline) {
                    throw new IOException(daemon.name() + " was not ready within "
                            + daemon.ready().timeout() + " (nothing listens at " + readySocket + " in the root)");
                }
                ticker.sleep(READY_POLL);
            }
            log.info("[{}] ready ({} listens)", daemon.name(), readySocket);
            changed.run();
        }

        void watch() {
            Duration backoff = FIRST_BACKOFF;
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
                changed.run();
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
                    ticker.sleep(wait);
                    if (stopping) {
                        return;
                    }
                    restarts++;
                    launch();
                    awaitReady();
                    backoff = FIRST_BACKOFF;
                } catch (IOException e) {
                    log.warn("[{}] restart failed: {}", daemon.name(), e.getMessage());
                    backoff =
                            backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
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
                    ticker.sleep(first ? Duration.ZERO : check.interval()); // the first right after ready
                } catch (InterruptedException e) {
                    return;
                }
                Process current = process;
                if (stopping || current == null || !current.isAlive()) {
                    continue; // the watcher restarts it; the next check sees the new one
                }
                try {
                    String answer = answerWithin(probe::check, HEALTH_TIMEOUT);
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
                changed.run();
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
                if (current.waitFor(stopGrace.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
                log.warn("[{}] still running {} after SIGTERM; killing it", daemon.name(), stopGrace);
                current.destroyForcibly();
                if (!current.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.error(
                            "[{}] pid {} still there {} after SIGKILL (stuck in the kernel?)",
                            daemon.name(),
                            current.pid(),
                            KILL_WAIT);
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
}
