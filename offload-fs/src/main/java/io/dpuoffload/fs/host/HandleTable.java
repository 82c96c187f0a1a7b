package io.dpuoffload.fs.host;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The session's open files and directories, capped so one DPU cannot exhaust the host's descriptors. */
final class HandleTable implements AutoCloseable {
    private final ConcurrentHashMap<Long, Handle> handles = new ConcurrentHashMap<>();
    private final AtomicLong next = new AtomicLong();
    private final int limit;

    HandleTable(int limit) {
        this.limit = limit;
    }

    /** Takes ownership of {@code fd}; EMFILE (and the fd closed) when the session is at its limit. */
    Handle add(int fd, long nodeid, boolean directory, boolean blocking) throws ErrnoException {
        if (handles.size() >= limit) {
            closeQuietly(fd);
            throw new ErrnoException("open (limit of " + limit + " open files per DPU)", Errno.EMFILE);
        }
        Handle handle = new Handle(next.incrementAndGet(), fd, nodeid, directory, blocking);
        handles.put(handle.fh(), handle);
        return handle;
    }

    Handle get(long fh) throws ErrnoException {
        Handle handle = handles.get(fh);
        if (handle == null) {
            throw new ErrnoException("file handle " + fh, Errno.EBADF);
        }
        return handle;
    }

    boolean contains(long fh) {
        return handles.containsKey(fh);
    }

    void release(long fh) {
        Handle handle = handles.remove(fh);
        if (handle != null) {
            closeQuietly(handle.fd());
        }
    }

    int size() {
        return handles.size();
    }

    @Override
    public void close() {
        handles.values().forEach(handle -> closeQuietly(handle.fd()));
        handles.clear();
    }

    private static void closeQuietly(int fd) {
        try {
            FileCalls.close(fd);
        } catch (ErrnoException ignored) {
            // already gone
        }
    }
}
