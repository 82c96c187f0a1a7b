package io.dpuoffload.agent.host;

import io.dpuoffload.api.status.StatusFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone host agent's pid and status in its state directory (the pair's {@code
 * host.state}), for {@code offloadctl agent status --role host} and {@code agent stop --role host},
 * as the DPU agent keeps its own. The status is written at start, at each connection and
 * disconnection of the DPU, and every few seconds for its counts; at close both files go, so a
 * stopped agent is never shown as serving.
 */
public final class HostStatusKeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HostStatusKeeper.class);

    /** How old the counts in the status may be. */
    static final Duration REFRESH = Duration.ofSeconds(5);

    private final Path state;
    private final HostAgent agent;
    private final String listen;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("host-status").factory());

    private HostStatusKeeper(Path state, HostAgent agent, String listen) {
        this.state = state;
        this.agent = agent;
        this.listen = listen;
    }

    /** Starts keeping {@code agent}'s status in {@code state}, which it makes if need be. */
    public static HostStatusKeeper start(Path state, HostAgent agent, String listen) throws IOException {
        Files.createDirectories(state);
        Files.writeString(pidFile(state), ProcessHandle.current().pid() + "\n");
        HostStatusKeeper keeper = new HostStatusKeeper(state, agent, listen);
        keeper.write();
        agent.onConnectionChange(() -> keeper.timer.execute(keeper::write));
        keeper.timer.scheduleWithFixedDelay(
                keeper::write, REFRESH.toMillis(), REFRESH.toMillis(), TimeUnit.MILLISECONDS);
        return keeper;
    }

    /** Where the running host agent's pid is. */
    public static Path pidFile(Path state) {
        return state.resolve("pid");
    }

    private void write() {
        try {
            StatusFile.write(state, agent.status(listen));
        } catch (IOException | RuntimeException e) {
            log.warn("cannot write the status to {}: {}", StatusFile.in(state), e.toString());
        }
    }

    @Override
    public void close() {
        agent.onConnectionChange(() -> {});
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS); // a write under way would bring the file back
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Path file : new Path[] {StatusFile.in(state), pidFile(state)}) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                log.warn("cannot remove {}: {}", file, e.getMessage());
            }
        }
    }
}
