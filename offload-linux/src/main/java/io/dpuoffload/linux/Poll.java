package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * poll(2) on a few descriptors with a timeout. Blocks the OS thread; called on a virtual thread with a
 * timeout, the wait runs on a platform thread instead of pinning the carrier (see {@link BlockingCalls}).
 * For many descriptors use epoll (Netty). EINTR is retried with the time that is left, unless
 * {@link ThreadInterrupts} interrupted the (platform) thread.
 */
public final class Poll {
    public static final short POLLIN = 0x001;
    public static final short POLLPRI = 0x002;
    public static final short POLLOUT = 0x004;
    public static final short POLLERR = 0x008;
    public static final short POLLHUP = 0x010;
    public static final short POLLNVAL = 0x020;
    public static final short POLLRDNORM = 0x040;
    public static final short POLLRDHUP = 0x2000;

    /** struct pollfd: int fd, short events, short revents. */
    static final int POLLFD_SIZE = 8;

    private static final MethodHandle POLL =
            Libc.function("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

    private Poll() {}

    /**
     * Waits until one of {@code fds} is ready for its {@code events}, or {@code timeoutMillis} pass (-1:
     * forever, 0: just look). Fills {@code revents} and returns how many descriptors have events; 0 on
     * timeout.
     */
    public static int poll(int[] fds, short[] events, short[] revents, int timeoutMillis) throws ErrnoException {
        int n = fds.length;
        if (events.length != n || revents.length != n) {
            throw new IllegalArgumentException("fds, events and revents differ in length");
        }
        if (timeoutMillis == 0) {
            return pollHere(fds, events, revents, 0); // just a look: no wait to move off the carrier
        }
        return BlockingCalls.call(() -> pollHere(fds, events, revents, timeoutMillis));
    }

    private static int pollHere(int[] fds, short[] events, short[] revents, int timeoutMillis) throws ErrnoException {
        int n = fds.length;
        long deadline = timeoutMillis > 0 ? System.nanoTime() + timeoutMillis * 1_000_000L : 0;
        try (Scratch s = Scratch.acquire()) {
            MemorySegment pfds = s.allocate((long) POLLFD_SIZE * n, 8);
            for (int i = 0; i < n; i++) {
                pfds.set(JAVA_INT, i * 8L, fds[i]);
                pfds.set(JAVA_SHORT, i * 8L + 4, events[i]);
                pfds.set(JAVA_SHORT, i * 8L + 6, (short) 0);
            }
            int timeout = timeoutMillis;
            while (true) {
                int r;
                try {
                    r = (int) POLL.invokeExact(s.errnoState(), pfds, (long) n, timeout);
                } catch (Throwable t) {
                    throw Libc.unexpected(t);
                }
                if (r >= 0) {
                    for (int i = 0; i < n; i++) {
                        revents[i] = pfds.get(JAVA_SHORT, i * 8L + 6);
                    }
                    return r;
                }
                int errno = s.errno();
                if (!ThreadInterrupts.retries(errno)) {
                    throw new ErrnoException("poll", errno);
                }
                if (timeoutMillis > 0) {
                    timeout = (int) Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
                }
            }
        }
    }

    /** Polls one descriptor: its revents, or 0 on timeout. */
    public static int poll(int fd, int events, int timeoutMillis) throws ErrnoException {
        short[] revents = new short[1];
        poll(new int[] {fd}, new short[] {(short) events}, revents, timeoutMillis);
        return Short.toUnsignedInt(revents[0]);
    }
}
