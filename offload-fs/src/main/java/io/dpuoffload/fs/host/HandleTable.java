package io.dpuoffload.fs.host;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** The session's open files and directories, capped so one DPU cannot exhaust the host's descriptors. */
final class HandleTable implements AutoCloseable {
    private final ConcurrentHashMap<Long, Handle> handles = new ConcurrentHashMap<>();
    private final int limit;
    private volatile boolean closed;
    /** Keeps the descriptor of an inode with open files open (an unlinked file cannot be reopened). */
    private final InodeTable inodes;
    /** Notified whenever a handle goes, for opens waiting at the limit. */
    private final Object released = new Object();

    /**
     * How long an open at the limit waits for handles on their way out. The DPU's kernel sends
     * RELEASE after close(2) has already returned, in the background, so a process that opens and
     * closes files in a loop finds the table still holding dozens it has closed (EMFILE at the 129th
     * open/close of one file, with a limit of 64). EMFILE is for files the DPU really keeps open.
     */
    static final Duration RELEASE_GRACE = Duration.ofSeconds(1);

    /** Opens running at once elsewhere (on pool threads) while one checks {@link #roomNow}. */
    private static final int ROOM_MARGIN = 16;

    HandleTable(int limit, InodeTable inodes) {
        this.limit = limit;
        this.inodes = inodes;
    }

    /** Takes ownership of {@code fd}; EMFILE (and the fd closed) when the session is at its limit. */
    Handle add(int fd, long nodeid, boolean directory) throws ErrnoException {
        if (!roomWithin(RELEASE_GRACE)) {
            FileCalls.closeQuietly(fd);
            throw new ErrnoException("open (limit of " + limit + " open files per DPU)", Errno.EMFILE);
        }
        return put(new Handle(HostIds.nextFileHandle(), fd, nodeid, directory, null));
    }

    /** The same for a shared fifo's end (closed, and its waiters ended, at release). */
    Handle addFifo(FifoEnd fifo, long nodeid) throws ErrnoException {
        if (!roomWithin(RELEASE_GRACE)) {
            fifo.release();
            throw new ErrnoException("open (limit of " + limit + " open files per DPU)", Errno.EMFILE);
        }
        return put(new Handle(HostIds.nextFileHandle(), fifo.fd(), nodeid, false, fifo));
    }

    private Handle put(Handle handle) throws ErrnoException {
        handles.put(handle.fh(), handle);
        inodes.holdOpen(handle.nodeid());
        // The session ended while this open ran (a fifo's open woken by the end): nobody would
        // release it. Whoever removes it closes it, so it is closed once.
        if (closed && handles.remove(handle.fh()) != null) {
            handle.close();
            inodes.letGo(handle.nodeid());
            throw new ErrnoException("open (the DPU's session ended)", Errno.ENOTCONN);
        }
        return handle;
    }

    /**
     * Whether an open now cannot have to wait for room: false near the limit, where {@link #add}
     * may wait for handles on their way out.
     */
    boolean roomNow() {
        return handles.size() < limit - ROOM_MARGIN;
    }

    Handle get(long fh) throws ErrnoException {
        Handle handle = handles.get(fh);
        if (handle == null) {
            throw new ErrnoException("file handle " + fh, Errno.EBADF);
        }
        return handle;
    }

    /** Whether {@code fh} is a shared fifo's end (see {@link Handle#blocking}). */
    boolean isBlocking(long fh) {
        Handle handle = handles.get(fh);
        return handle != null && handle.blocking();
    }

    boolean contains(long fh) {
        return handles.containsKey(fh);
    }

    void release(long fh) {
        Handle handle = handles.remove(fh);
        if (handle != null) {
            handle.close();
            inodes.letGo(handle.nodeid());
            synchronized (released) {
                released.notifyAll();
            }
        }
    }

    private boolean roomWithin(Duration grace) {
        if (handles.size() < limit) {
            return true;
        }
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (released) {
            while (handles.size() >= limit) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(released, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    int size() {
        return handles.size();
    }

    @Override
    public void close() {
        closed = true;
        for (Long fh : handles.keySet()) {
            Handle handle = handles.remove(fh);
            if (handle != null) {
                handle.close();
            }
        }
    }
}
