package io.dpuoffload.intercept;

/**
 * Services the intercepted pid calls: kill, tgkill, sched_setaffinity and sched_getaffinity
 * (offload-exec's gateway makes them on the host for host pids). Runs on the notification thread,
 * so it must not wait long: a call that needs a round trip is answered when the answer comes.
 */
public interface PidCallHandler {
    /** Answers {@code call} exactly once, through {@link PidSyscall#call()}. */
    void handle(PidSyscall call);
}
