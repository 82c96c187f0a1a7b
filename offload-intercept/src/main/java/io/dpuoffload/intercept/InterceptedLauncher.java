package io.dpuoffload.intercept;

import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Seccomp;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Starts programs whose system calls of the kinds in {@link Interceptions} are serviced by their
 * handlers. A seccomp filter sends those calls of the launched process tree to a notification loop;
 * it is installed on one dedicated platform thread, which then does nothing but start processes
 * (they inherit the filter across fork and exec; the rest of this JVM is not filtered). Programs
 * need no change and no libc: Go binaries and static programs that make the system call directly
 * are caught the same.
 */
public final class InterceptedLauncher implements AutoCloseable {
    private final ExecutorService launcherThread;
    private final NotificationLoop loop;

    private InterceptedLauncher(ExecutorService launcherThread, NotificationLoop loop) {
        this.launcherThread = launcherThread;
        this.loop = loop;
    }

    /**
     * Installs the filter on a new launcher thread and starts servicing {@code interceptions}.
     *
     * @throws InterceptionUnavailableException naming what the kernel lacks, so a launch never
     *     silently runs without interception
     */
    public static InterceptedLauncher start(Interceptions interceptions) throws InterceptionUnavailableException {
        return start(interceptions, true);
    }

    /** As {@link #start(Interceptions)}; {@code killableWait} false is how kernels before 5.19 work. */
    static InterceptedLauncher start(Interceptions interceptions, boolean killableWait)
            throws InterceptionUnavailableException {
        int[] syscalls = interceptions.syscalls();
        String missing = Seccomp.missingSupport();
        if (missing != null) {
            throw new InterceptionUnavailableException(missing);
        }
        ExecutorService thread = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("intercepted-launcher").daemon().factory());
        int listener;
        try {
            listener = thread.submit(() -> Seccomp.intercept(killableWait, syscalls))
                    .get();
        } catch (ExecutionException e) {
            thread.shutdownNow();
            String why =
                    e.getCause() instanceof ErrnoException errno ? errno.getMessage() : String.valueOf(e.getCause());
            throw new InterceptionUnavailableException("cannot install the seccomp filter: " + why
                    + " (seccomp user notification needs CAP_SYS_ADMIN or no_new_privs, and must not be blocked by "
                    + "a container's own seccomp profile)");
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
            throw new InterceptionUnavailableException("interrupted while installing the seccomp filter");
        }
        return new InterceptedLauncher(thread, new NotificationLoop(listener, interceptions));
    }

    /** Starts {@code builder}'s program under interception (from the launcher thread). */
    public Process launch(ProcessBuilder builder) throws IOException {
        try {
            return launcherThread.submit(builder::start).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("cannot start " + builder.command(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + builder.command(), e);
        }
    }

    /**
     * Stops servicing. Programs still running keep their filter: their later intercepted calls
     * fail with ENOSYS, so stop them first.
     */
    @Override
    public void close() {
        launcherThread.shutdownNow();
        loop.close();
    }
}
