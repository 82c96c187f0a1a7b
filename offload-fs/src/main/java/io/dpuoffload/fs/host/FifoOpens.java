package io.dpuoffload.fs.host;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's opens of fifos that wait for the other end, so that the session's end can wake them.
 * Such an open has no handle yet, so no RELEASE can reach it; without this, a DPU that goes away
 * while one waits would leave a host thread in open(2), and then a reader or writer of the fifo
 * that nobody has, for as long as the host runs.
 */
final class FifoOpens {
    private static final Logger log = LoggerFactory.getLogger(FifoOpens.class);

    /**
     * Rounds of wake-ups at the session's end, {@link #WAKE_PAUSE_MILLIS} apart: an open registered
     * just before may enter open(2) only after the first round, and must still be woken.
     */
    private static final int WAKE_ROUNDS = 20;

    private static final int WAKE_PAUSE_MILLIS = 50;

    /** One waiting open (identity matters: two opens of one fifo are two entries). */
    private static final class Pending {
        final byte[] path;
        final int access;

        Pending(byte[] path, int access) {
            this.path = path;
            this.access = access;
        }
    }

    private final Set<Pending> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** open(2) of the fifo at {@code path} (a C string) with {@code flags}, which may wait for its other end. */
    int open(byte[] path, int flags) throws ErrnoException {
        int access = flags & Flags.O_ACCMODE;
        if (access == Flags.O_RDWR || (flags & Flags.O_NONBLOCK) != 0) {
            return FileCalls.openat(Flags.AT_FDCWD, path, flags, 0); // never waits
        }
        Pending open = new Pending(path, access);
        pending.add(open);
        try {
            if (closed) {
                throw new ErrnoException("open (the DPU's session ended)", Errno.ENOTCONN);
            }
            return FileCalls.openat(Flags.AT_FDCWD, path, flags, 0);
        } finally {
            pending.remove(open);
        }
    }

    /** The session ended: every open still waiting returns (its handle is then refused and closed). */
    void close() throws InterruptedException {
        closed = true;
        for (int round = 0; round < WAKE_ROUNDS && !pending.isEmpty(); round++) {
            pending.forEach(FifoOpens::wake);
            Thread.sleep(WAKE_PAUSE_MILLIS);
        }
        if (!pending.isEmpty()) {
            log.warn("{} fifo open(s) of an ended session still wait for their other end", pending.size());
        }
    }

    /**
     * Opens the other end for a moment, without waiting, as containerd's fifo package does to cancel
     * an open: the waiting one returns. (A waiting reader counts as a reader, so the writer's
     * non-blocking open succeeds; a non-blocking reader's always does.)
     */
    private static void wake(Pending open) {
        int other = open.access == Flags.O_RDONLY ? Flags.O_WRONLY : Flags.O_RDONLY;
        try {
            FileCalls.close(FileCalls.openat(Flags.AT_FDCWD, open.path, other | Flags.O_NONBLOCK | Flags.O_CLOEXEC, 0));
        } catch (ErrnoException e) {
            log.debug("waking an open of a fifo: {}", e.getMessage());
        }
    }
}
