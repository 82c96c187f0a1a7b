package io.dpuoffload.fs.host;

import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FsContext;
import io.dpuoffload.linux.IoCallable;
import io.dpuoffload.linux.ThreadCredentials;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Platform threads that run file operations as the DPU caller. Credentials belong to an OS
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

    <T> T callAs(int uid, int gid, int[] groups, IoCallable<T> work) throws IOException, InterruptedException {
        Callable<T> task = () -> {
            ownUmask();
            return ThreadCredentials.callAs(uid, gid, groups, work);
        };
        Future<T> future;
        try {
            future = executor.submit(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new io.dpuoffload.linux.ErrnoException(
                    "fs operation (all " + MAX_THREADS + " threads busy)", io.dpuoffload.linux.Errno.EAGAIN);
        }
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(cause);
        }
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
