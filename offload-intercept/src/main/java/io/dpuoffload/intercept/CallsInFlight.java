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

    /**
     * How long a call answered with a socket is remembered, for a restart that comes although the
     * answer was taken (below). Such a restart follows at once; a genuine new call with the same
     * arguments is told apart by its descriptor, not by time.
     */
    private static final long GIVEN_SOCKET_NANOS = 1_000_000_000L;

    private final int listener;
    private final Map<Integer, InterceptedCall> byThread = new ConcurrentHashMap<>();
    /** Per thread, its last call answered with a socket: the call, the socket's inode, and when. */
    private final Map<Integer, GivenSocket> givenSockets = new ConcurrentHashMap<>();

    private record GivenSocket(int syscall, long[] arguments, int targetFd, long inode, long at) {}

    private long lastSweep = System.nanoTime();

    CallsInFlight(int listener) {
        this.listener = listener;
    }

    /**
     * The call to hand to a handler for {@code notification}; null when it is a call a handler
     * already has, made again (its answer, if given meanwhile, has just gone to it).
     */
    InterceptedCall admit(Seccomp.Notification notification) {
        if (restartsAGivenSocket(notification)) {
            Seccomp.answer(listener, notification.id(), 0, 0); // the caller's descriptor is the socket already
            return null;
        }
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

    /**
     * {@code call} was answered with a copy of {@code socket} in place of its descriptor. Without
     * WAIT_KILLABLE_RECV (before Linux 5.19), a signal can end the caller's wait just as the answer
     * is taken: the kernel accepts the answer, the socket is in place, and yet the call returns to
     * be made again. Remembered, so that the call made again is answered, not handed on: a handler
     * would connect once more.
     */
    void socketGiven(InterceptedCall call, int socket, int targetFd) {
        try {
            long inode = io.dpuoffload.linux.Metadata.fstat(socket).ino();
            givenSockets.put(
                    call.pid(), new GivenSocket(call.syscall(), call.arguments(), targetFd, inode, System.nanoTime()));
        } catch (io.dpuoffload.linux.ErrnoException e) {
            givenSockets.remove(call.pid());
        }
    }

    /**
     * Whether {@code notification} is the last call its thread was given a socket for, made again:
     * the same call and arguments, at once, on a descriptor that is that socket (a new socket at the
     * same number, connected to the same place, is a new call).
     */
    private boolean restartsAGivenSocket(Seccomp.Notification notification) {
        GivenSocket given = givenSockets.remove(notification.pid());
        if (given == null
                || given.syscall() != notification.syscall()
                || !java.util.Arrays.equals(given.arguments(), notification.args())
                || System.nanoTime() - given.at() > GIVEN_SOCKET_NANOS) {
            return false;
        }
        try {
            String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of(
                            "/proc", Integer.toString(notification.pid()), "fd", Integer.toString(given.targetFd())))
                    .toString();
            return target.equals("socket:[" + given.inode() + "]");
        } catch (java.io.IOException e) {
            return false;
        }
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
        givenSockets.values().removeIf(given -> now - given.at() > GIVEN_SOCKET_NANOS);
    }

    int size() {
        return byThread.size();
    }
}
