package io.dpuoffload.intercept;

import io.dpuoffload.linux.Seccomp;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Which kinds of system call a launcher intercepts, each with the handler of the service that owns
 * it: connect (offload-ipc's transparent connect), the pid calls (offload-exec's gateway). A kind
 * without a handler is not intercepted at all: its calls never leave the kernel.
 *
 * <p>A new kind (mount, say) is a handler interface, a field and a {@code with} method here, its
 * numbers in {@link #syscalls()} and a case in {@link #dispatch}.
 */
public final class Interceptions {
    private static final Interceptions NONE = new Interceptions(null, null);

    private final ConnectHandler connect;
    private final PidCallHandler pidCalls;

    private Interceptions(ConnectHandler connect, PidCallHandler pidCalls) {
        this.connect = connect;
        this.pidCalls = pidCalls;
    }

    /** Nothing intercepted: the launched programs run as they would anyway. */
    public static Interceptions none() {
        return NONE;
    }

    /** These, with connect() serviced by {@code handler}. */
    public Interceptions withConnect(ConnectHandler handler) {
        return new Interceptions(handler, pidCalls);
    }

    /** These, with the pid calls serviced by {@code handler}. */
    public Interceptions withPidCalls(PidCallHandler handler) {
        return new Interceptions(connect, handler);
    }

    /** The system calls (this architecture's numbers) the filter sends to the notification loop. */
    int[] syscalls() {
        IntStream connects = connect == null ? IntStream.empty() : IntStream.of(Seccomp.NR_CONNECT);
        IntStream pids = pidCalls == null ? IntStream.empty() : Arrays.stream(PidSyscall.numbers());
        return IntStream.concat(connects, pids).toArray();
    }

    /** Hands {@code call} to the handler of its kind; a call of no kind here continues in the kernel. */
    void dispatch(InterceptedCall call) {
        if (call.syscall() == Seccomp.NR_CONNECT && connect != null) {
            connect.connect(new ConnectCall(call));
            return;
        }
        PidSyscall pidCall = pidCalls == null ? null : PidSyscall.of(call);
        if (pidCall != null) {
            pidCalls.handle(pidCall);
            return;
        }
        call.proceed();
    }
}
