package io.dpuoffload.intercept;

import io.dpuoffload.linux.Seccomp;

/** An intercepted system call that names a process (or thread) by its pid, decoded from its arguments. */
public sealed interface PidSyscall {
    /** The call itself, to answer. */
    InterceptedCall call();

    /** The process (or thread group) the call is made on. */
    int pid();

    /** The system call numbers of this kind, to intercept. */
    static int[] numbers() {
        return new int[] {Seccomp.NR_KILL, Seccomp.NR_TGKILL, Seccomp.NR_SCHED_SETAFFINITY, Seccomp.NR_SCHED_GETAFFINITY
        };
    }

    /** {@code kill(pid, signal)}. */
    record Kill(InterceptedCall call, int pid, int signal) implements PidSyscall {}

    /** {@code tgkill(pid, tid, signal)}: one thread of the thread group {@code pid}. */
    record ThreadKill(InterceptedCall call, int pid, int tid, int signal) implements PidSyscall {}

    /** {@code sched_setaffinity(pid, maskBytes, mask)}: the mask is in the caller's memory. */
    record SetAffinity(InterceptedCall call, int pid, long maskBytes, long maskAddress) implements PidSyscall {}

    /** {@code sched_getaffinity(pid, maskBytes, mask)}: the mask is written into the caller's memory. */
    record GetAffinity(InterceptedCall call, int pid, long maskBytes, long maskAddress) implements PidSyscall {}

    /** The call decoded; null when its number is none of {@link #numbers()}. */
    static PidSyscall of(InterceptedCall call) {
        int nr = call.syscall();
        int pid = (int) call.argument(0);
        if (nr == Seccomp.NR_KILL) {
            return new Kill(call, pid, (int) call.argument(1));
        }
        if (nr == Seccomp.NR_TGKILL) {
            return new ThreadKill(call, pid, (int) call.argument(1), (int) call.argument(2));
        }
        if (nr == Seccomp.NR_SCHED_SETAFFINITY) {
            return new SetAffinity(call, pid, call.argument(1), call.argument(2));
        }
        if (nr == Seccomp.NR_SCHED_GETAFFINITY) {
            return new GetAffinity(call, pid, call.argument(1), call.argument(2));
        }
        return null;
    }
}
