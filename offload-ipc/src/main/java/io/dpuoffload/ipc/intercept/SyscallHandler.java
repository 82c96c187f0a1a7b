package io.dpuoffload.ipc.intercept;

import io.dpuoffload.linux.Seccomp;

/**
 * Intercepted system calls other than connect(), serviced beside it by the same supervisor (the
 * exec gateway's pid calls: kill, tgkill and affinity for host pids). The handler answers each call
 * it is given, with {@link Seccomp#answer} or {@link Seccomp#proceed}, exactly once.
 */
public interface SyscallHandler {
    /** The system calls (this architecture's numbers) to intercept for this handler. */
    int[] syscalls();

    /** Services {@code call}; runs on the supervisor's thread, so it must not wait long. */
    void handle(Seccomp.Notification call, int listener);
}
