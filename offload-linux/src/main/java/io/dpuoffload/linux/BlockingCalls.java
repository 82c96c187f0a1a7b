package io.dpuoffload.linux;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Native calls that may block for long (a wait for a process, poll with a timeout, a read or write
 * of a pipe, fifo or terminal, an open of a fifo, a lock wait), made without holding a virtual
 * thread's carrier.
 *
 * <p>A virtual thread in a downcall pins its carrier: the JVM cannot unmount it there, and it has
 * only as many carriers as cores. Two runs waiting for their programs in {@code waitid} on a 2-core
 * host left no carrier for anything else (every other stream handler, every other start). Here, on
 * a virtual thread, the call runs on a platform thread while the caller parks; on a platform thread
 * it runs in place, with no hand-off, so platform callers pay nothing.
 *
 * <p>The pool grows by one thread per call blocked at the moment and shrinks when idle: how many
 * calls block at once is bounded by what the callers admit (runs, streams), never by cores. The
 * hand-off costs a few tens of microseconds, so only calls that can wait for another process go
 * through here; quick calls (a stat, a read of a regular file) stay where they are.
 *
 * <p>The caller waits uninterruptibly, as it would in the native call itself (an interrupt does not
 * end a {@code waitid} either); its interrupt status is kept for its next interruptible wait.
 */
public final class BlockingCalls {
    /** Idle pool threads end after this long: bursts of starts reuse them, a quiet host holds none. */
    private static final long IDLE_SECONDS = 30;

    private static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE, // bounded by the callers' own limits; see the class comment
            IDLE_SECONDS,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            Thread.ofPlatform().daemon().name("blocking-native-", 0).factory());

    private BlockingCalls() {}

    /** A native call that may block and fail with {@code E}. */
    @FunctionalInterface
    public interface Call<T, E extends Exception> {
        T call() throws E;
    }

    /** Runs {@code call} off the carrier when the caller is a virtual thread, in place otherwise. */
    public static <T, E extends Exception> T call(Call<T, E> call) throws E {
        if (!Thread.currentThread().isVirtual()) {
            return call.call();
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        POOL.execute(() -> {
            try {
                result.complete(call.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.join(); // parks the virtual thread: its carrier is free meanwhile
        } catch (CompletionException e) {
            throw BlockingCalls.<E>rethrow(e.getCause());
        }
    }

    /** Platform threads in the pool now, busy or idle (for tests and diagnostics). */
    public static int poolThreads() {
        return POOL.getPoolSize();
    }

    @SuppressWarnings("unchecked")
    private static <E extends Exception> E rethrow(Throwable t) throws E {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw (E) t; // the call declares only E among checked exceptions
    }
}
