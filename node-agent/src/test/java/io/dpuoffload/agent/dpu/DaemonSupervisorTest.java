package io.dpuoffload.agent.dpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dpuoffload.api.spec.Daemon;
import io.dpuoffload.api.spec.Health;
import io.dpuoffload.api.spec.Readiness;
import io.dpuoffload.api.spec.RestartPolicy;
import io.dpuoffload.api.status.DaemonStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The supervisor with daemons, sockets and time the test controls ({@link FakeDaemons},
 * {@link FakeTicker}): how a daemon is started, when it is started again, what a crash loop waits,
 * what its start waits for, and how failed health checks restart it. The same with real processes
 * under interception: {@code HealthRestartIT}.
 */
// a supervisor broken so that it waits without end fails its test instead of hanging the build
@Timeout(60)
class DaemonSupervisorTest {
    private static final Path ROOT = Path.of("/srv/offload-root");
    /** Not the agent's default, so that the test sees it is the one used. */
    private static final Duration GRACE = Duration.ofSeconds(7);
    /**
     * Long enough that a waiting start does not run out while the test looks (12,000 polls of
     * the fake time, some seconds of real time), short enough that a test that breaks ends soon.
     */
    private static final Duration PATIENT = Duration.ofMinutes(10);

    private final FakeDaemons daemons = new FakeDaemons();
    private final FakeTicker ticker = new FakeTicker();
    private final AtomicInteger changes = new AtomicInteger();
    private final List<Health> probed = new ArrayList<>();
    private HealthProbe probe = probe(() -> "ok");
    private final DaemonSupervisor supervisor = new DaemonSupervisor(
            ROOT,
            Map.of("DPUO_EXEC_SOCKET", "/run/dpu-offload/exec.sock"),
            changes::incrementAndGet,
            daemons,
            daemons,
            ticker,
            GRACE,
            health -> {
                probed.add(health);
                return probe;
            });

    @AfterEach
    void stop() {
        supervisor.stopAll();
    }

    private static Daemon daemon(String name) {
        return new Daemon(name, List.of("/usr/sbin/" + name, "--listen"), Map.of("LEVEL", "2"), null, null, null, null);
    }

    private static Path socketOf(String name) {
        return Path.of("/run/" + name + ".sock");
    }

    private static Daemon ready(Daemon daemon, Duration timeout) {
        return daemon.withReady(new Readiness(socketOf(daemon.name()), timeout));
    }

    private static String program(String name) {
        return "/usr/sbin/" + name;
    }

    private DaemonStatus status(String name) {
        return supervisor.states().stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    /** Its watcher gave up on it: it is not started again. */
    private static boolean watcherEnded(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("supervise-" + name) && t.isAlive());
    }

    @Test
    void startsTheDaemonInTheRootUnderChrootDyingWithTheAgentWithItsEnvironment() throws Exception {
        supervisor.start(daemon("app"));

        assertThat(daemons.commands)
                .containsExactly(List.of(
                        "/usr/bin/setpriv",
                        "--pdeathsig",
                        "TERM",
                        "--",
                        "/usr/sbin/chroot",
                        ROOT.toString(),
                        "/usr/sbin/app",
                        "--listen"));
        assertThat(daemons.environments.getFirst())
                .containsEntry("DPUO_EXEC_SOCKET", "/run/dpu-offload/exec.sock")
                .containsEntry("LEVEL", "2");
        DaemonStatus status = status("app");
        assertThat(status.running()).isTrue();
        assertThat(status.pid()).isEqualTo(daemons.of(program("app")).getFirst().pid());
        assertThat(status.restarts()).isZero();
        assertThat(status.lastExit()).isNull();
    }

    @ParameterizedTest(name = "{0} after exit {1}: restarted {2}")
    @CsvSource({
        "ALWAYS, 0, true",
        "ALWAYS, 1, true",
        "ALWAYS, 137, true",
        "ON_FAILURE, 0, false",
        "ON_FAILURE, 1, true",
        "ON_FAILURE, 137, true",
        "NEVER, 0, false",
        "NEVER, 1, false",
        "NEVER, 137, false"
    })
    void theRestartPolicySaysWhetherAnEndedDaemonIsStartedAgain(RestartPolicy policy, int exit, boolean restarted)
            throws Exception {
        String name = "d-" + policy + "-" + exit;
        supervisor.start(daemon(name).withRestart(policy));

        daemons.of(program(name)).getFirst().exit(exit); // 137: killed by SIGKILL

        if (restarted) {
            await().until(() ->
                    daemons.of(program(name)).size() == 2 && status(name).running());
            assertThat(status(name).restarts()).isEqualTo(1);
            assertThat(ticker.of("supervise-" + name)).containsExactly(DaemonSupervisor.FIRST_BACKOFF);
        } else {
            await().until(() -> watcherEnded(name));
            assertThat(daemons.of(program(name))).hasSize(1);
            assertThat(status(name).restarts()).isZero();
            assertThat(status(name).running()).isFalse();
        }
        assertThat(status(name).lastExit()).isEqualTo(exit);
    }

    @Test
    void eachRestartIsCountedAndADaemonThatCameBackWaitsOnlyTheFirstBackoffNextTime() throws Exception {
        daemons.script(program("app"), n -> FakeProcess.running().listeningAt(socketOf("app")));
        supervisor.start(ready(daemon("app"), PATIENT));

        for (int crash = 1; crash <= 3; crash++) {
            int launched = crash;
            daemons.of(program("app")).get(launched - 1).exit(1);
            await().until(() -> daemons.of(program("app")).size() == launched + 1
                    && status("app").running());
            assertThat(status("app").restarts()).isEqualTo(crash);
        }
        assertThat(ticker.of("supervise-app"))
                .containsExactly(
                        DaemonSupervisor.FIRST_BACKOFF, DaemonSupervisor.FIRST_BACKOFF, DaemonSupervisor.FIRST_BACKOFF);
    }

    @Test
    void aCrashLoopBacksOffDoublingUpToItsBound() throws Exception {
        daemons.script(
                program("app"),
                n -> n == 0 ? FakeProcess.running().listeningAt(socketOf("app")) : FakeProcess.exited(1));
        supervisor.start(ready(daemon("app"), PATIENT));

        daemons.of(program("app")).getFirst().exit(1); // from now on each instance ends before it is ready

        await().until(() -> ticker.of("supervise-app").size() >= 8);
        assertThat(ticker.of("supervise-app").subList(0, 8))
                .containsExactly(
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(4),
                        Duration.ofSeconds(8),
                        Duration.ofSeconds(16),
                        DaemonSupervisor.MAX_BACKOFF,
                        DaemonSupervisor.MAX_BACKOFF,
                        DaemonSupervisor.MAX_BACKOFF);
        assertThat(status("app").restarts()).isGreaterThanOrEqualTo(7);
        assertThat(status("app").lastExit()).isEqualTo(1);
    }

    @Test
    void eachDaemonIsStartedOnlyOnceTheOneBeforeIsReady() throws Exception {
        Daemon first = ready(daemon("first"), PATIENT);
        Daemon second = new Daemon("second", List.of(program("second")), null, List.of("first"), null, null, null);
        CompletableFuture<Void> started = CompletableFuture.runAsync(() -> {
            try {
                supervisor.startInOrder(List.of(first, second));
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        await().until(() -> !daemons.of(program("first")).isEmpty());
        await().until(() -> ticker.sleeps.size() >= 3); // it looked for the socket, and went on waiting
        assertThat(daemons.of(program("second")))
                .as("started before first listens")
                .isEmpty();
        assertThat(started).isNotDone();

        daemons.of(program("first")).getFirst().listeningAt(socketOf("first"));

        started.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(daemons.commands).extracting(c -> c.get(6)).containsExactly(program("first"), program("second"));
        assertThat(changes.get()).as("the status written as each is up").isGreaterThanOrEqualTo(2);
    }

    @Test
    void aDaemonNotReadyInTimeFailsItsStartNamingTheSocket() {
        Daemon daemon = ready(daemon("slow"), Duration.ofSeconds(30));

        assertThatThrownBy(() -> supervisor.start(daemon))
                .isInstanceOf(IOException.class)
                .hasMessage("slow was not ready within PT30S (nothing listens at /run/slow.sock in the root)");
        Duration waited = ticker.sleeps.stream().map(FakeTicker.Sleep::duration).reduce(Duration.ZERO, Duration::plus);
        assertThat(waited).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(31));
    }

    @Test
    void aDaemonThatEndsBeforeItIsReadyFailsItsStartWithItsExitStatusAndLastWords() {
        StringBuilder chatter = new StringBuilder();
        for (int i = 1; i <= LastLines.KEPT + 5; i++) {
            chatter.append("starting, step ").append(i).append('\n');
        }
        chatter.append("error: user 'libvirt-qemu' does not exist\n");
        daemons.script(program("broken"), n -> FakeProcess.exited(3).printing(chatter.toString()));

        assertThatThrownBy(() -> supervisor.start(ready(daemon("broken"), PATIENT)))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(
                        "broken exited with 3 before it was ready (nothing listened at /run/broken.sock");
        DaemonStatus state = supervisor.states().getFirst();
        assertThat(state.running()).isFalse();
        assertThat(state.lastExit()).isEqualTo(3);
        assertThat(state.lastLines())
                .as("the last %d lines, why it ended last", LastLines.KEPT)
                .hasSize(LastLines.KEPT)
                .endsWith("error: user 'libvirt-qemu' does not exist")
                .doesNotContain("starting, step 6");
    }

    @Test
    void aStartWaitsForAnEarlierInstanceStillListeningToGo() throws Exception {
        daemons.listenedAtBefore(socketOf("app"), 5);
        daemons.script(program("app"), n -> FakeProcess.running().listeningAt(socketOf("app")));

        supervisor.start(ready(daemon("app"), PATIENT));

        assertThat(daemons.of(program("app"))).hasSize(1);
        Duration waited = waitedBy(Thread.currentThread().getName());
        assertThat(waited).isPositive().isLessThan(DaemonSupervisor.STOP_GRACE);
    }

    @Test
    void aSocketThatStaysListenedAtDelaysTheStartOnlyByTheStopGrace() throws Exception {
        daemons.listenedAtBefore(socketOf("app"), Integer.MAX_VALUE); // the DPU's own daemon, outside the root

        supervisor.start(daemon("app").withReady(new Readiness(socketOf("app"), PATIENT)));

        assertThat(daemons.of(program("app"))).as("ours started anyway").hasSize(1);
        assertThat(waitedBy(Thread.currentThread().getName()))
                .isBetween(DaemonSupervisor.STOP_GRACE, DaemonSupervisor.STOP_GRACE.plusSeconds(1));
    }

    private Duration waitedBy(String thread) {
        return ticker.of(thread).stream().reduce(Duration.ZERO, Duration::plus);
    }

    @Test
    void failedHealthChecksEndAHungDaemonWithinTheStopGraceAndStartItAgain() throws Exception {
        Health check = new Health.Socket(socketOf("vmd"), Duration.ofSeconds(30), 3);
        daemons.script(
                program("vmd"),
                n -> n == 0
                        ? FakeProcess.running().listeningAt(socketOf("vmd")).ignoringSigterm()
                        : FakeProcess.running().listeningAt(socketOf("vmd")));
        probe = probe(() -> {
            if (daemons.of(program("vmd")).size() == 1) {
                throw new IOException("no answer");
            }
            return "3 domains";
        });

        supervisor.start(ready(daemon("vmd"), PATIENT).withHealth(check));

        await().until(() -> status("vmd").restarts() == 1
                && status("vmd").health() != null
                && status("vmd").health().healthy());
        FakeProcess hung = daemons.of(program("vmd")).getFirst();
        assertThat(hung.signals).containsExactly("TERM", "KILL");
        assertThat(hung.timedWaits.getFirst())
                .as("SIGKILL after the stop grace")
                .isEqualTo(GRACE);
        assertThat(status("vmd").lastExit()).isEqualTo(FakeProcess.SIGKILL_EXIT);
        assertThat(status("vmd").running()).isTrue();
        assertThat(status("vmd").health().detail()).isEqualTo("3 domains");
        assertThat(ticker.of("supervise-vmd"))
                .as("started again at once, no back-off")
                .containsOnly(Duration.ZERO);
        assertThat(ticker.of("health-vmd")).startsWith(Duration.ZERO, check.interval(), check.interval());
        assertThat(probed).containsExactly(check);
    }

    @Test
    void aDaemonEndedCleanlyByFailedHealthChecksIsStartedAgainDespiteOnFailure() throws Exception {
        daemons.script(program("vmd"), n -> FakeProcess.running().exitingOnSigtermWith(0));
        probe = probe(() -> {
            if (daemons.of(program("vmd")).size() == 1) {
                throw new IOException("no answer");
            }
            return "ok";
        });

        supervisor.start(daemon("vmd")
                .withRestart(RestartPolicy.ON_FAILURE)
                .withHealth(new Health.Socket(socketOf("vmd"), Duration.ofSeconds(30), 2)));

        await().until(() -> daemons.of(program("vmd")).size() == 2);
        assertThat(daemons.of(program("vmd")).getFirst().signals).containsExactly("TERM");
        await().until(() -> status("vmd").running() && status("vmd").restarts() == 1);
        assertThat(status("vmd").lastExit()).isZero();
    }

    @Test
    void stopEndsTheDaemonsLastStartedFirstAndKillsOneThatIgnoresSigterm() throws Exception {
        daemons.script(program("first"), n -> FakeProcess.running().ignoringSigterm());
        supervisor.startInOrder(List.of(daemon("first"), daemon("second")));

        supervisor.stopAll();

        assertThat(daemons.signals)
                .containsExactly("TERM " + program("second"), "TERM " + program("first"), "KILL " + program("first"));
        assertThat(daemons.of(program("first")).getFirst().timedWaits.getFirst())
                .isEqualTo(GRACE);
        await().until(() -> watcherEnded("first") && watcherEnded("second"));
        assertThat(daemons.commands).as("a stopped daemon is not started again").hasSize(2);
        assertThat(supervisor.states()).noneMatch(DaemonStatus::running);
    }

    private interface Check {
        String call() throws Exception;
    }

    private static HealthProbe probe(Check check) {
        return new HealthProbe() {
            @Override
            public String check() throws Exception {
                return check.call();
            }

            @Override
            public String target() {
                return "the test's probe";
            }
        };
    }
}
