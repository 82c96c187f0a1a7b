package io.dpuoffload.bench;

import io.dpuoffload.cli.StopSignal;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of a benchmark's host side (the hidden {@code host-side} commands of fs and ipc): it sets up servers and
 * children one by one, each with its undo; once all are up it prints its READY line and serves until SIGTERM, or until
 * one of its children ends by itself; {@link #close()} then undoes everything in reverse order.
 */
public final class HostSide implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HostSide.class);

    /** What the orchestrator waits for before it starts the DPU side. */
    public static final String READY = "READY";

    /** A server started by a host side (sshd, socat, a JVM) that has not listened within this is stuck. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    /** A child gets this long between SIGTERM and SIGKILL. */
    public static final Duration CHILD_STOP_GRACE = Duration.ofSeconds(10);

    private final Deque<AutoCloseable> undo = new ArrayDeque<>();
    /** The JVM's exit waits for {@link #close()}: a few children's stops, each bounded by its grace. */
    private final StopSignal stop = new StopSignal(CHILD_STOP_GRACE.multipliedBy(3));

    /** Registers what undoes a step just taken; undone in reverse order by {@link #close()}. */
    public void onClose(AutoCloseable step) {
        undo.push(step);
    }

    /** A child that {@link #close()} stops (SIGTERM, then SIGKILL after {@link #CHILD_STOP_GRACE}). */
    public ChildProcess own(ChildProcess child) {
        undo.push(() -> child.stop(CHILD_STOP_GRACE));
        return child;
    }

    /**
     * Prints {@code readyLine} and blocks until SIGTERM or SIGINT, or until one of {@code watched} ends by itself: then
     * there is nothing left to serve, and the DPU side's measurement fails with that child's output in the log.
     */
    public void serveUntilStopped(PrintWriter out, String readyLine, List<ChildProcess> watched)
            throws InterruptedException {
        for (ChildProcess child : watched) {
            child.onExit(() -> {
                log.error("{} ended unexpectedly; stopping. Its output:\n{}", child, child.tail());
                stop.request();
            });
        }
        out.println(readyLine);
        out.flush();
        stop.await();
    }

    @Override
    public void close() {
        while (!undo.isEmpty()) {
            try {
                undo.pop().close();
            } catch (Exception e) {
                log.warn("cleaning up the host side: {}", e.getMessage());
            }
        }
        stop.done();
    }
}
