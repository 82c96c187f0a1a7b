package io.dpuoffload.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * For long-running commands: waits for SIGTERM or SIGINT, then holds the JVM's exit until the
 * command has cleaned up (unmounted, closed its connections), at most {@code grace}.
 */
public final class StopSignal {
    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch cleanedUp = new CountDownLatch(1);

    public StopSignal(Duration grace) {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            requested.countDown();
                            try {
                                cleanedUp.await(grace.toMillis(), TimeUnit.MILLISECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "stop-signal"));
    }

    /** Blocks until a signal arrives (or {@link #request()} is called). */
    public void await() throws InterruptedException {
        requested.await();
    }

    /** Stops without a signal, e.g. when the thing served went away by itself. */
    public void request() {
        requested.countDown();
    }

    /** Lets the JVM exit. */
    public void done() {
        cleanedUp.countDown();
    }
}
