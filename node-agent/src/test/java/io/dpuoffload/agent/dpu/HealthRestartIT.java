package io.dpuoffload.agent.dpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.api.spec.Daemon;
import io.dpuoffload.api.spec.Health;
import io.dpuoffload.api.spec.Readiness;
import io.dpuoffload.api.spec.RestartPolicy;
import io.dpuoffload.api.status.StatusText;
import io.dpuoffload.intercept.InterceptedLauncher;
import io.dpuoffload.intercept.Interceptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon that fails its health checks is ended and started again within the stop grace, however
 * it takes SIGTERM: one that hangs in its shutdown (its socket already gone) is killed; one that
 * exits 0, as libvirtd does, is restarted although its policy is on-failure. The daemon and its
 * probe are stand-ins (a socket that answers "ok" until told not to); the supervision is the
 * agent's, the same that restarts libvirtd on failed libvirt checks.
 */
class HealthRestartIT {
    /** Short, to keep the test quick; the bound asserted is relative to it. */
    private static final Duration GRACE = Duration.ofSeconds(3);

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    private static final Health CHECK = new Health.Socket(Path.of("/unused"), Duration.ofMillis(200), 2);
    /** A relaunch and the new instance's first listen: python's start, a few hundred ms. */
    private static final Duration RELAUNCH = Duration.ofSeconds(3);

    @TempDir
    Path work;

    private InterceptedLauncher launcher;
    private DaemonSupervisor supervisor;
    private Path socket;
    private Path sick;
    /** Failed checks in a row, as the supervisor counts them. */
    private int failuresInARow;

    /** When the probe answered the failure that makes the supervisor restart the daemon. */
    private volatile long decided;

    @BeforeEach
    void launcher() throws Exception {
        launcher = InterceptedLauncher.start(Interceptions.none());
        socket = work.resolve("daemon.sock");
        sick = work.resolve("sick");
    }

    @AfterEach
    void stop() {
        if (supervisor != null) {
            supervisor.stopAll();
        }
        launcher.close();
    }

    @Test
    void aDaemonWhoseShutdownHangsIsKilledAndRestartedWithinTheGrace() throws Exception {
        restartsWithinTheGrace("--hang-on-term");
    }

    @Test
    void aDaemonThatExitsCleanlyOnSigtermIsRestartedDespiteOnFailure() throws Exception {
        restartsWithinTheGrace("--exit-on-term");
    }

    private void restartsWithinTheGrace(String onTerm) throws Exception {
        supervisor = new DaemonSupervisor(Path.of("/"), launcher, Map.of(), () -> {}, GRACE, h -> probe());
        supervisor.start(daemon(onTerm));
        long first = pid();

        Files.createFile(sick); // from now on it accepts and never answers
        long restarted = awaitNewPid(first, Duration.ofSeconds(30));

        assertThat(ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false))
                .as("the unhealthy instance is gone")
                .isFalse();
        Duration took = Duration.ofNanos(System.nanoTime() - decided);
        assertThat(took)
                .as("from the last failed check to the new instance ready: the stop grace and a relaunch")
                .isLessThan(GRACE.plus(RELAUNCH));
        assertThat(ask()).isEqualTo("ok");
        assertThat(StatusText.daemon(supervisor.states().getFirst()))
                .contains("restarts 1")
                .contains("pid " + restarted);
    }

    private Daemon daemon(String onTerm) throws IOException {
        Path script = work.resolve("fake_daemon.py");
        try (InputStream in = getClass().getResourceAsStream("/health/fake_daemon.py")) {
            Files.copy(in, script);
        }
        return Daemon.of(
                        "fake",
                        List.of("/usr/bin/python3", script.toString(), socket.toString(), sick.toString(), onTerm))
                .withReady(new Readiness(socket, Duration.ofSeconds(20)))
                .withRestart(RestartPolicy.ON_FAILURE)
                .withHealth(CHECK);
    }

    /** Asks the daemon's socket for "ok", within PROBE_TIMEOUT. */
    private HealthProbe probe() {
        return new HealthProbe() {
            @Override
            public synchronized String check() throws Exception {
                try {
                    String answer = ask();
                    failuresInARow = 0;
                    return answer;
                } catch (IOException e) {
                    if (++failuresInARow == CHECK.failures() && decided == 0) {
                        decided = System.nanoTime();
                    }
                    throw e;
                }
            }

            @Override
            public String target() {
                return socket.toString();
            }
        };
    }

    /** The daemon's answer, or IOException when none comes within PROBE_TIMEOUT. */
    private String ask() throws IOException {
        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
            try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                channel.connect(UnixDomainSocketAddress.of(socket));
                ByteBuffer buffer = ByteBuffer.allocate(16);
                channel.read(buffer);
                return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            return answer.get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            answer.cancel(true);
            throw new IOException("no answer at " + socket + " within " + PROBE_TIMEOUT, e);
        }
    }

    private long pid() {
        String state = StatusText.daemon(supervisor.states().getFirst());
        int at = state.indexOf("pid ");
        assertThat(at).as(state).isPositive();
        return Long.parseLong(state.substring(at + 4).split("[ ,]")[0]);
    }

    /** The pid of a new, ready instance (its socket answers) once there is one. */
    private long awaitNewPid(long old, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            String state = StatusText.daemon(supervisor.states().getFirst());
            if (state.contains("running, pid ") && pid() != old && !Files.exists(sick) && answers()) {
                return pid();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no new instance within " + within + ": " + supervisor.states());
    }

    private boolean answers() {
        try {
            return ask().equals("ok");
        } catch (IOException e) {
            return false;
        }
    }
}
