package io.dpuoffload.fs.host;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FsContext;
import io.dpuoffload.linux.IoCallable;
import io.dpuoffload.linux.ThreadCredentials;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Platform threads that run file operations as the DPU caller (quick ones run in place: see
 * {@link QuickOps}). Credentials belong to an OS
 * thread, so this cannot be a virtual thread; the pool grows when operations block (a fifo open
 * waiting for its writer) so that they never starve the others, up to a cap, and shrinks when idle.
 */
final class IdentityPool implements AutoCloseable {
    /**
     * Operations running at once, blocked ones included. Beyond it callers get EAGAIN rather than
     * an unbounded number of host threads.
     */
    static final int MAX_THREADS = 512;

    private final ThreadPoolExecutor executor = new ThreadPoolExecutor(
            0,
            MAX_THREADS,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            Thread.ofPlatform().daemon().name("fs-op-", 0).factory());

    /** Whether the current pool thread has its own file-system context with umask 0 yet. */
    private static final ThreadLocal<Boolean> OWN_UMASK = ThreadLocal.withInitial(() -> false);

    /**
     * Runs {@code work} as the caller on this (platform) thread: for quick operations on the event
     * loop, which saves the hand-off to a pool thread and the wake-up back.
     */
    <T> T callHere(int uid, int gid, int[] groups, IoCallable<T> work) throws IOException {
        ownUmask();
        return ThreadCredentials.callAs(uid, gid, groups, work);
    }

    /** Runs {@code work} as the caller on a pool thread; the future fails with EAGAIN when all are busy. */
    <T> CompletableFuture<T> submit(int uid, int gid, int[] groups, IoCallable<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    result.complete(callHere(uid, gid, groups, work));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(
                    new ErrnoException("fs operation (all " + MAX_THREADS + " threads busy)", Errno.EAGAIN));
        }
        return result;
    }

    /**
     * The DPU's kernel has already applied the caller's umask to the mode of a new file (we do not
     * ask for FUSE_DONT_MASK), so the host must create it with that mode exactly: with the JVM's
     * umask (typically 022) applied a second time, a DPU process with umask 0 would get 0644 for 0666.
     * umask belongs to the process, so each pool thread first takes a private file-system context
     * (unshare(CLONE_FS)) and sets umask 0 only there.
     */
    private static void ownUmask() throws ErrnoException {
        if (!OWN_UMASK.get()) {
            FsContext.unshare();
            FsContext.umask(0);
            OWN_UMASK.set(true);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
