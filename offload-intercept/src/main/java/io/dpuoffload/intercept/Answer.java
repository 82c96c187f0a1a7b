package io.dpuoffload.intercept;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Seccomp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an intercepted call is answered with, as the kernel is given it. An answer that finds its
 * caller no longer waiting (a signal ended the wait) is kept, to be given to the same call when the
 * caller makes it again ({@link CallsInFlight}).
 */
sealed interface Answer {
    /** Gives this answer to notification {@code id}: 0, or -errno (-ENOENT: nobody waits on it). */
    int giveTo(int listener, long id);

    /** This answer to keep past its handler's return (a socket is then duplicated: the handler's is its own). */
    default Answer kept() {
        return this;
    }

    /** Lets go of what a kept answer holds. */
    default void discard() {}

    /** The call continues in the kernel. */
    record Proceed() implements Answer {
        @Override
        public int giveTo(int listener, long id) {
            return Seccomp.proceed(listener, id);
        }
    }

    /** The call returns {@code value}, or fails with {@code errno} when that is not 0. */
    record Result(long value, int errno) implements Answer {
        @Override
        public int giveTo(int listener, long id) {
            return Seccomp.answer(listener, id, value, errno);
        }
    }

    /**
     * A copy of our socket {@code fd} replaces the caller's descriptor {@code targetFd}, and the
     * call returns 0. {@code owned}: the fd is the kept answer's own, closed when it is discarded.
     */
    record Socket(int fd, int targetFd, boolean closeOnExec, boolean owned) implements Answer {
        private static final Logger log = LoggerFactory.getLogger(Socket.class);

        @Override
        public int giveTo(int listener, long id) {
            int r = Seccomp.installFd(listener, id, fd, targetFd, closeOnExec);
            if (r == -Errno.ENOENT) {
                return r;
            }
            if (r < 0) {
                log.warn("cannot install the connected socket in the caller: {}", Errno.name(-r));
                return Seccomp.answer(listener, id, 0, -r);
            }
            return Seccomp.answer(listener, id, 0, 0);
        }

        @Override
        public Answer kept() {
            if (owned) {
                return this;
            }
            try {
                return new Socket(FileCalls.dup(fd), targetFd, closeOnExec, true);
            } catch (ErrnoException e) {
                return new Result(0, e.errno()); // the restart then fails as a connect out of descriptors does
            }
        }

        @Override
        public void discard() {
            if (owned) {
                FileCalls.closeQuietly(fd);
            }
        }
    }
}
