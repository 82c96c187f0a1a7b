package io.dpuoffload.exec.gateway;

import io.dpuoffload.exec.wire.ExecWire;
import io.dpuoffload.exec.wire.PidCall;
import io.dpuoffload.intercept.InterceptedCall;
import io.dpuoffload.intercept.PidCallHandler;
import io.dpuoffload.intercept.PidSyscall;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Pidfds;
import io.dpuoffload.transport.OffloadConnection;
import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kill, tgkill, sched_setaffinity and sched_getaffinity of an intercepted DPU program: on a pid in
 * the {@link HostPids} map (unless the number is also a rexec client or a child of the caller on
 * the DPU), the call is made on the host and its result (or errno) returned; on any
 * other pid (and on 0, -1 and process groups) it continues in the kernel untouched. A mapped pid
 * the host no longer knows as one of its runs' is ESRCH, and leaves the map.
 *
 * <p>An affinity call on any other pid but the caller's own thread and process is asked of the host
 * first: the threads of a host program are numbered there (QEMU's vcpu threads, which libvirt
 * learns from QEMU's monitor and pins), and the same numbers are as likely to be taken on the DPU,
 * by the caller's own threads even. The host acts only on its runs' processes and threads; for any
 * other number it answers ESRCH, and the call then continues in the DPU's kernel. So a daemon that
 * pins another of its own threads by id reaches a host program's thread of that number instead,
 * if one exists: management daemons do not (libvirtd, containerd, kubelet). Signals are never
 * sent on such a guess: a DPU process that just ended may share its number with a host program.
 */
public final class PidCallForwarder implements PidCallHandler {
    private static final Logger log = LoggerFactory.getLogger(PidCallForwarder.class);

    /** A signal is one round trip; a host that does not answer in this long is treated as gone. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);

    private final HostPids pids;
    private final Supplier<OffloadConnection> host;

    public PidCallForwarder(HostPids pids, Supplier<OffloadConnection> host) {
        this.pids = pids;
        this.host = host;
    }

    @Override
    public void handle(PidSyscall pidCall) {
        InterceptedCall call = pidCall.call();
        int pid = pidCall.pid();
        boolean affinity = pidCall instanceof PidSyscall.SetAffinity || pidCall instanceof PidSyscall.GetAffinity;
        boolean known = pids.contains(pid);
        boolean hostFirst = !known && affinity && pid > 0 && pid != call.pid() && pid != Pidfds.processOf(call.pid());
        if (!(known || hostFirst) || isTheDpus(pid, call.pid())) {
            call.proceed();
            return;
        }
        PidCall forwarded;
        switch (pidCall) {
            case PidSyscall.Kill kill -> forwarded = new PidCall(PidCall.KILL, pid, 0, kill.signal(), new byte[0]);
            case PidSyscall.ThreadKill kill ->
                forwarded = new PidCall(PidCall.TGKILL, pid, kill.tid(), kill.signal(), new byte[0]);
            case PidSyscall.SetAffinity set -> {
                try {
                    int length = (int) Math.min(set.maskBytes(), PidCall.MAX_MASK_BYTES);
                    forwarded = new PidCall(
                            PidCall.SET_AFFINITY, pid, 0, 0, call.readCallerMemory(set.maskAddress(), length));
                } catch (ErrnoException e) {
                    call.fails(Errno.EFAULT);
                    return;
                }
            }
            case PidSyscall.GetAffinity get ->
                forwarded = new PidCall(
                        PidCall.GET_AFFINITY,
                        pid,
                        0,
                        (int) Math.min(get.maskBytes(), PidCall.MAX_MASK_BYTES),
                        new byte[0]);
        }
        forward(pidCall, forwarded, hostFirst);
    }

    /**
     * Whether {@code pid}, also a host pid we know, means a DPU process here: a rexec client (the
     * stand-in the caller sees for a host program) or a child of the caller. The host's and the
     * DPU's pids are numbered apart, so one number may name a process on each side.
     */
    private boolean isTheDpus(int pid, int callerThread) {
        if (pids.isStandIn(pid)) {
            return true;
        }
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Integer.toString(pid), "stat"));
            int parent =
                    Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
            return parent == Pidfds.processOf(callerThread);
        } catch (java.io.IOException | RuntimeException e) {
            return false; // no such process here
        }
    }

    /**
     * Makes {@code forwarded} on the host and answers the caller with its result; with {@code
     * hostFirst}, a number the host does not know as one of its runs' is the DPU kernel's instead.
     */
    private void forward(PidSyscall pidCall, PidCall forwarded, boolean hostFirst) {
        InterceptedCall call = pidCall.call();
        OffloadConnection connection;
        try {
            connection = host.get();
        } catch (RuntimeException e) {
            if (hostFirst) {
                call.proceed();
                return;
            }
            log.warn(
                    "pid {}: host pid {} is unreachable ({}); answering ESRCH",
                    call.pid(),
                    forwarded.pid(),
                    e.getMessage());
            call.fails(Errno.ESRCH);
            return;
        }
        connection
                .request(ExecWire.PID_CALL, forwarded.encode(ByteBufAllocator.DEFAULT), ANSWER_TIMEOUT)
                .whenComplete((body, failure) -> {
                    if (failure != null && hostFirst) {
                        call.proceed(); // the host cannot say: the number is the DPU's
                        return;
                    }
                    if (failure != null) {
                        log.warn(
                                "pid {}: call {} on host pid {} failed: {}",
                                call.pid(),
                                forwarded.op(),
                                forwarded.pid(),
                                failure.getMessage());
                        call.fails(Errno.ESRCH);
                        return;
                    }
                    PidCall.Result result;
                    try {
                        result = PidCall.Result.decode(body);
                    } finally {
                        body.release();
                    }
                    if (result.value() == -Errno.ESRCH && hostFirst) {
                        call.proceed(); // not a process of the host's runs: the DPU's
                        return;
                    }
                    if (result.value() == -Errno.ESRCH) {
                        // The host process is gone: ESRCH, as the caller meant that one. Never the
                        // kernel: the same number may be a DPU process (even the agent) that no
                        // one here meant. Later calls with the number are the DPU's again.
                        pids.remove(forwarded.pid());
                        call.fails(Errno.ESRCH);
                        return;
                    }
                    if (result.value() < 0) {
                        call.fails((int) -result.value());
                        return;
                    }
                    if (pidCall instanceof PidSyscall.GetAffinity get) {
                        try {
                            call.writeCallerMemory(get.maskAddress(), result.mask());
                        } catch (ErrnoException e) {
                            call.fails(Errno.EFAULT);
                            return;
                        }
                    }
                    call.returns(result.value());
                });
    }
}
