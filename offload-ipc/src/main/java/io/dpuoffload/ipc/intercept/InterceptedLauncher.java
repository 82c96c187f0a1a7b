package io.dpuoffload.ipc.intercept;

import io.dpuoffload.ipc.IpcNode;
import io.dpuoffload.ipc.config.PeerPaths;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Seccomp;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Starts programs whose connect() calls to the peer's sockets are carried transparently. A seccomp
 * filter sends connect() of the launched process tree to a {@link ConnectSupervisor}; it is installed
 * on one dedicated platform thread, which then does nothing but start processes (they inherit the
 * filter across fork and exec; the rest of this JVM is not filtered). Programs need no change and
 * no libc: Go binaries and static programs that make the system call directly are caught the same.
 */
public final class InterceptedLauncher implements AutoCloseable {
    private final ExecutorService launcherThread;
    private final ConnectSupervisor supervisor;

    private InterceptedLauncher(ExecutorService launcherThread, ConnectSupervisor supervisor) {
        this.launcherThread = launcherThread;
        this.supervisor = supervisor;
    }

    /**
     * Installs the filter on a new launcher thread and starts the supervisor.
     *
     * @throws InterceptionUnavailableException naming what the kernel lacks, so a launch never
     *     silently runs without interception
     */
    public static InterceptedLauncher start(IpcNode node, PeerPaths paths) throws InterceptionUnavailableException {
        return start(node, paths, null);
    }

    /**
     * As {@link #start(IpcNode, PeerPaths)}, with {@code others}' system calls intercepted too; with
     * {@code node} null, connect() is not intercepted at all.
     */
    public static InterceptedLauncher start(IpcNode node, PeerPaths paths, SyscallHandler others)
            throws InterceptionUnavailableException {
        java.util.List<Integer> calls = new java.util.ArrayList<>();
        if (node != null) {
            calls.add(Seccomp.NR_CONNECT);
        }
        if (others != null) {
            for (int call : others.syscalls()) {
                calls.add(call);
            }
        }
        int[] syscalls = calls.stream().mapToInt(Integer::intValue).toArray();
        String missing = Seccomp.missingSupport();
        if (missing != null) {
            throw new InterceptionUnavailableException(missing);
        }
        ExecutorService thread = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("ipc-intercepted-launcher").daemon().factory());
        int listener;
        try {
            listener = thread.submit(() -> Seccomp.intercept(syscalls)).get();
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
        return new InterceptedLauncher(thread, new ConnectSupervisor(listener, node, paths, others));
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

    public ConnectSupervisor supervisor() {
        return supervisor;
    }

    /**
     * Stops the supervisor. Programs still running keep their filter: their later connect() calls
     * fail with ENOSYS, so stop them first.
     */
    @Override
    public void close() {
        launcherThread.shutdownNow();
        supervisor.close();
    }
}
