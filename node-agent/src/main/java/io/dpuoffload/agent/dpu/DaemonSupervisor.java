package io.dpuoffload.agent.dpu;

import io.dpuoffload.api.spec.Daemon;
import io.dpuoffload.api.spec.Health;
import io.dpuoffload.api.status.DaemonStatus;
import io.dpuoffload.intercept.InterceptedLauncher;
import java.io.IOException;
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
    static final Duration KILL_WAIT = Duration.ofSeconds(5);
    /** How often readiness is looked for: a daemon's start takes tens of ms at the least. */
    static final Duration READY_POLL = Duration.ofMillis(50);
    /** How long a daemon that ended at start gets for its last output to be read. */
    static final Duration RELAY_DRAIN = Duration.ofSeconds(1);
    /** How often an earlier instance's socket is looked at while it shuts down. */
    private static final Duration EARLIER_INSTANCE_POLL = Duration.ofMillis(100);
    /** How long a health check may take before it counts as failed. */
    static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(10);

    static final String CHROOT = "/usr/sbin/chroot";
    /**
     * A daemon gets SIGTERM when the agent dies (a crash, SIGKILL): the next agent starts it again,
     * and one left running would hold its pidfile and its API socket, under a seccomp filter whose
     * supervisor is gone. Its own children (libvirtd's QEMU shims) are not affected: the signal is
     * not inherited across fork.
     */
    static final List<String> DIE_WITH_AGENT = List.of("/usr/bin/setpriv", "--pdeathsig", "TERM", "--");

    final Path root;
    final DaemonLauncher launcher;
    final ListeningSockets sockets;
    final Ticker ticker;
    final Duration stopGrace;
    private final java.util.function.Function<Health, HealthProbe> probes;
    final Map<String, String> environment;
    private final List<SupervisedDaemon> running = new ArrayList<>();
    /** Held from a launch until the new daemon's pid is known, so the orphan reaper never takes it. */
    final Object launching = new Object();

    /** Told when a daemon's state changes (ready, ended), so the status file stays current. */
    final Runnable changed;

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
        SupervisedDaemon supervised = new SupervisedDaemon(daemon, this);
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
            return running.stream().map(SupervisedDaemon::state).toList();
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
        List<SupervisedDaemon> daemons;
        synchronized (running) {
            daemons = new ArrayList<>(running);
        }
        for (int i = daemons.size() - 1; i >= 0; i--) {
            daemons.get(i).stop();
        }
    }
}
