package io.dpuoffload.linux;

import java.lang.foreign.MemorySegment;

/**
 * The one shape of a checked FFM call, so each wrapper states only the call and its arguments: invoke
 * with errno captured by the same call (never a second downcall), then on failure either throw an
 * {@link ErrnoException} named for the call or return {@code -errno}; EINTR retried where the call
 * is safe to repeat. Calls not retried (close, dup, fcntl …) use {@link #once}.
 */
final class Downcalls {
    private Downcalls() {}

    /** The call, given the errno capture segment to pass first; its raw result (an int widens). */
    @FunctionalInterface
    interface Downcall {
        long invoke(MemorySegment errnoState) throws Throwable;
    }

    /** Invoked once: its result (0 or more), or ErrnoException when it failed. */
    static long once(Scratch s, String call, Downcall downcall) throws ErrnoException {
        long r = invoke(s, downcall);
        if (r < 0) {
            throw new ErrnoException(call, s.errno());
        }
        return r;
    }

    /**
     * Invoked once: its result, or {@code -errno}, for a caller that names its error itself (where
     * the name costs work to build, as a path read back from a C string, only a failure pays).
     */
    static long onceOrErrno(Scratch s, Downcall downcall) {
        long r = invoke(s, downcall);
        return r < 0 ? -s.errno() : r;
    }

    /** As {@link #once(Scratch, String, Downcall)}, with the path the call was on named in its error. */
    static long once(Scratch s, String call, byte[] path, Downcall downcall) throws ErrnoException {
        long r = invoke(s, downcall);
        if (r < 0) {
            throw new ErrnoException(call, path, s.errno());
        }
        return r;
    }

    /** As {@link #once(Scratch, String, Downcall)}, with the two paths the call was on named in its error. */
    static long once(Scratch s, String call, byte[] path, byte[] path2, Downcall downcall) throws ErrnoException {
        long r = invoke(s, downcall);
        if (r < 0) {
            throw new ErrnoException(call, path, path2, s.errno());
        }
        return r;
    }

    /**
     * Retried on EINTR, unless an interrupt ({@link ThreadInterrupts}) asked the call to end: its
     * result, or ErrnoException.
     */
    static long retrying(Scratch s, String call, Downcall downcall) throws ErrnoException {
        return retrying(s, call, null, downcall);
    }

    /** As {@link #retrying(Scratch, String, Downcall)}, with the path the call was on named in its error. */
    static long retrying(Scratch s, String call, byte[] path, Downcall downcall) throws ErrnoException {
        while (true) {
            long r = invoke(s, downcall);
            if (r >= 0) {
                return r;
            }
            int errno = s.errno();
            if (!ThreadInterrupts.retries(errno)) {
                throw path == null ? new ErrnoException(call, errno) : new ErrnoException(call, path, errno);
            }
        }
    }

    /**
     * Retried on every EINTR, interrupted or not (pread, pwrite: a file's data, which an interrupt
     * does not ask to abandon): its result, or ErrnoException.
     */
    static long retryingEveryEintr(Scratch s, String call, Downcall downcall) throws ErrnoException {
        long r = orErrno(s, downcall);
        if (r < 0) {
            throw new ErrnoException(call, (int) -r);
        }
        return r;
    }

    /** Retried on EINTR: its result, or {@code -errno}, for callers to whom EAGAIN and the like are values. */
    static long orErrno(Scratch s, Downcall downcall) {
        while (true) {
            long r = invoke(s, downcall);
            if (r >= 0) {
                return r;
            }
            int errno = s.errno();
            if (errno != Errno.EINTR) {
                return -errno;
            }
        }
    }

    private static long invoke(Scratch s, Downcall downcall) {
        try {
            return downcall.invoke(s.errnoState());
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }
}
