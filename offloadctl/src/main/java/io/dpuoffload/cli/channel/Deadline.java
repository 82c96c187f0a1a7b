package io.dpuoffload.cli.channel;

import io.dpuoffload.transport.TransportException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The time a measuring phase may take. Every load loop checks one, so a stuck peer or a huge size ends the command
 * with a message instead of running on.
 */
public record Deadline(String phase, Duration budget, long atNanos) {

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(
            task -> Thread.ofPlatform().daemon().name("offloadctl-deadline").unstarted(task));

    /** Undoes {@link #onExpiry}; closing never throws. */
    public interface Watch extends AutoCloseable {
        @Override
        void close();
    }

    public static Deadline in(String phase, Duration budget) {
        return new Deadline(phase, budget, System.nanoTime() + budget.toNanos());
    }

    /** @throws IllegalStateException once the deadline has passed */
    public void check() {
        if (expiredNow()) {
            throw expired();
        }
    }

    /**
     * The future's value, waiting at most until the deadline. A transport failure is rethrown as itself (offloadctl
     * maps it to exit code 4); any other failure is wrapped with the phase's name.
     */
    <T> T await(CompletableFuture<T> future) throws InterruptedException {
        try {
            return future.get(Math.max(0, atNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw expired();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TransportException transport) {
                throw transport;
            }
            throw new IllegalStateException(phase + " failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * Runs {@code action} (close a socket, cancel a stream) if the deadline passes before the returned watch is
     * closed: that is what unblocks a read or write that has no timeout of its own.
     */
    public Watch onExpiry(Runnable action) {
        ScheduledFuture<?> scheduled =
                TIMER.schedule(action, Math.max(0, atNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        return () -> scheduled.cancel(false);
    }

    boolean expiredNow() {
        return System.nanoTime() - atNanos > 0;
    }

    IllegalStateException expired() {
        return new IllegalStateException(phase + " did not finish within " + budget.toSeconds()
                + " s; the peer is stuck or the size too large for this link");
    }
}
