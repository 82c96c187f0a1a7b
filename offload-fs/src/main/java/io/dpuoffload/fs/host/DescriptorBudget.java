package io.dpuoffload.fs.host;

import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.ResourceLimits;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many O_PATH descriptors the sessions of this process may keep open for inodes between
 * operations (see {@link InodeTable}): a share of RLIMIT_NOFILE (read when a session starts or
 * ends), split evenly between the sessions alive. Process-wide because the limit is.
 */
final class DescriptorBudget {
    /**
     * The share of RLIMIT_NOFILE, in percent, for cached inode descriptors. The other quarter is for
     * what a session cannot bound this way: the DPU's open files (up to {@code maxOpenHandles} per
     * session), descriptors pinned by operations in flight (a few per pool thread), connections,
     * and the JVM's own (its jars, epoll: about 100). Three quarters keeps the working set of `fs
     * bench` (7,000 inodes in two sessions under the JVM's usual limit of 20,000 or more) open.
     */
    static final int SHARE_PERCENT = 75;

    /**
     * No session gets fewer: below this a directory walk's parents and children would keep evicting
     * each other. 64 descriptors are nothing even under a limit of 1,024.
     */
    static final int MIN_PER_SESSION = 64;

    /**
     * No session gets more, however high the limit: beyond this the kernel's dentry and inode caches
     * (which every open descriptor pins, on the host) cost more than a reopen by handle (a few
     * microseconds) saves.
     */
    static final int MAX_PER_SESSION = 65_536;

    /** Open-file limit assumed when the kernel cannot be asked: Linux's default soft limit. */
    private static final long DEFAULT_LIMIT = 1024;

    private static final AtomicInteger SESSIONS = new AtomicInteger();

    /** Recomputed when a session starts or ends; the limit is read then too. */
    private static volatile int perSession = MAX_PER_SESSION;

    private DescriptorBudget() {}

    static void join() {
        recompute(SESSIONS.incrementAndGet());
    }

    static void leave() {
        recompute(SESSIONS.decrementAndGet());
    }

    /** The descriptors one session may keep cached. */
    static int perSession() {
        return perSession;
    }

    private static void recompute(int sessions) {
        long share = Math.min(openFileLimit(), Integer.MAX_VALUE) * SHARE_PERCENT / 100 / Math.max(1, sessions);
        perSession = (int) Math.max(MIN_PER_SESSION, Math.min(MAX_PER_SESSION, share));
    }

    private static long openFileLimit() {
        try {
            return ResourceLimits.openFiles().soft();
        } catch (ErrnoException e) {
            return DEFAULT_LIMIT;
        }
    }
}
