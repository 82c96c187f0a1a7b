package io.dpuoffload.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.exec.client.RemoteRun;
import io.dpuoffload.exec.wire.ExecRequest;
import io.dpuoffload.linux.ProcessExits;
import io.dpuoffload.transport.OffloadConnection;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many long-lived programs at once through one host exec server, as a host with hundreds of
 * containers runs hundreds of shims: how many run at once is bounded by the server's limits, not by
 * the host's cores. (Each run's wait for its program once held a carrier thread of the stream
 * handlers' virtual threads, so a host ran only as many programs at once as it had cores.)
 */
class ConcurrentRunsIT {
    /** Far more than any machine's cores, well within {@code ExecServer.MAX_RUNS}. */
    private static final int RUNS = 200;

    /**
     * How long each program lives: longer than starting all of them takes on a busy 2-core machine
     * (a few seconds), so that every one has started before the first ends.
     */
    private static final int SLEEP_SECONDS = 15;

    /** All of them started, lived and ended within this; one after another they would take 50 minutes. */
    private static final Duration BOUND = Duration.ofSeconds(90);

    @TempDir
    Path work;

    private record Run(long startedNanos, long endedNanos, ProcessExits.Exit exit, String stderr) {}

    @Test
    void twoHundredLongLivedRunsAllRunAtOnce() throws Exception {
        List<Run> runs = new ArrayList<>();
        long deadline = System.nanoTime() + BOUND.toNanos();
        // The pair closes first (a hang cuts the runs off), then the clients' threads are waited for.
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
                ExecPair pair = new ExecPair(work, Set.of("/bin/sleep"))) {
            OffloadConnection connection = pair.connection();
            List<Future<Run>> futures = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                futures.add(clients.submit(() -> sleep(connection)));
            }
            for (Future<Run> future : futures) {
                runs.add(future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            }
        }
        assertThat(runs)
                .as("every run's exit (and what it said on stderr)")
                .allSatisfy(run -> assertThat(run.exit()).as(run.stderr()).isEqualTo(new ProcessExits.Exit(false, 0)));
        long lastStarted = runs.stream().mapToLong(Run::startedNanos).max().orElseThrow();
        long firstEnded = runs.stream().mapToLong(Run::endedNanos).min().orElseThrow();
        assertThat(lastStarted)
                .as(
                        "the last of %d programs started before the first ended (starts over %d ms)",
                        RUNS, startSpreadMillis(runs))
                .isLessThan(firstEnded);
    }

    @Test
    void aStartBeyondTheHostsRunLimitIsRefusedWithTheReason() throws Exception {
        try (ExecPair pair = new ExecPair(work, Set.of("/bin/sleep"))) {
            pair.exec.limitRunsTo(2);
            OffloadConnection connection = pair.connection();
            RemoteRun first = RemoteRun.start(connection, sleepRequest(30), InputStream.nullInputStream());
            RemoteRun second = RemoteRun.start(connection, sleepRequest(30), InputStream.nullInputStream());
            Thread.ofVirtual().start(() -> awaitQuietly(first));
            Thread.ofVirtual().start(() -> awaitQuietly(second));
            // Both run: the host's STARTED (their pids) arrived.
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> first.hostPid() > 0 && second.hostPid() > 0);
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            ProcessExits.Exit third = RemoteRun.start(connection, sleepRequest(0), InputStream.nullInputStream())
                    .await(OutputStream.nullOutputStream(), err);
            assertThat(third).isEqualTo(new ProcessExits.Exit(false, 126));
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("the host runs 2 programs already (its limit)");
            first.cancel("the test is done with it");
            second.cancel("the test is done with it");
        }
    }

    private static void awaitQuietly(RemoteRun run) {
        try {
            run.await(OutputStream.nullOutputStream(), OutputStream.nullOutputStream());
        } catch (Exception e) {
            // cancelled by the test once it has seen what it looks for
        }
    }

    private ExecRequest sleepRequest(int seconds) {
        return new ExecRequest(
                "/bin/sleep".getBytes(StandardCharsets.UTF_8),
                List.of(
                        "sleep".getBytes(StandardCharsets.UTF_8),
                        Integer.toString(seconds).getBytes()),
                List.of(),
                work.toString().getBytes(StandardCharsets.UTF_8),
                022);
    }

    /** One client: {@code sleep} on the host; when it started (the host's STARTED) and when its exit came. */
    private Run sleep(OffloadConnection connection) throws Exception {
        ExecRequest request = sleepRequest(SLEEP_SECONDS);
        long[] started = {-1};
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        RemoteRun run = RemoteRun.start(connection, request, InputStream.nullInputStream());
        run.onStarted(token -> started[0] = System.nanoTime()); // told on this thread, within await
        ProcessExits.Exit exit = run.await(OutputStream.nullOutputStream(), err);
        return new Run(started[0] < 0 ? Long.MAX_VALUE : started[0], System.nanoTime(), exit, err.toString());
    }

    /** From the first start to the last, in milliseconds. */
    private static long startSpreadMillis(List<Run> runs) {
        long first = runs.stream().mapToLong(Run::startedNanos).min().orElseThrow();
        long last = runs.stream().mapToLong(Run::startedNanos).max().orElseThrow();
        return (last - first) / 1_000_000;
    }
}
