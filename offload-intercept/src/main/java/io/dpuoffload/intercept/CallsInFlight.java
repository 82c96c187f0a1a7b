package io.dpuoffload.intercept;

import io.dpuoffload.linux.Seccomp;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The calls handed to handlers and not yet answered, by calling thread. A thread makes one system
 * call at a time, so a notification from a thread whose call is still here means that call's wait
 * was ended by a signal: made again with the same arguments (SA_RESTART, or a retry), it is the same
 * call, and it gets the one answer its handler gives — connected once, signalled once. The kernel
 * prevents most of this itself once a call is received (WAIT_KILLABLE_RECV, Linux 5.19); this is
 * what keeps older kernels, and a signal that comes just before the call is received, exact.
 */
final class CallsInFlight {
    /** How long an answer whose caller stopped waiting is kept for the call's return. */
    private static final long KEEP_NANOS = 10_000_000_000L;

    private final int listener;
    private final Map<Integer, InterceptedCall> byThread = new ConcurrentHashMap<>();
    private long lastSweep = System.nanoTime();

    CallsInFlight(int listener) {
        this.listener = listener;
    }

    /**
     * The call to hand to a handler for {@code notification}; null when it is a call a handler
     * already has, made again (its answer, if given meanwhile, has just gone to it).
     */
    InterceptedCall admit(Seccomp.Notification notification) {
        InterceptedCall earlier = byThread.get(notification.pid());
        if (earlier != null) {
            if (earlier.madeAgainAs(notification)) {
                return null;
            }
            earlier.abandon(); // the thread has gone on to another call
            byThread.remove(notification.pid(), earlier);
        }
        InterceptedCall call = new InterceptedCall(listener, notification, this);
        byThread.put(notification.pid(), call);
        return call;
    }

    /** {@code call} has its answer: it leaves. */
    void answered(InterceptedCall call) {
        byThread.remove(call.pid(), call);
    }

    /**
     * Drops answers kept too long: their callers were killed, or never made the call again. Cheap
     * to call often (it looks at most once a second).
     */
    void expire() {
        long now = System.nanoTime();
        if (now - lastSweep < 1_000_000_000L) {
            return;
        }
        lastSweep = now;
        byThread.values().removeIf(call -> call.abandonIfUndeliveredSince(now - KEEP_NANOS));
    }

    int size() {
        return byThread.size();
    }
}
