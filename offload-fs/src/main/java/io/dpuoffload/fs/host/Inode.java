package io.dpuoffload.fs.host;

import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileHandles.FileHandle;

/**
 * A host inode the DPU's kernel knows by node id, and the kernel's lookup count. Operations start
 * from its O_PATH descriptor ({@link #fd()}), never from a path; the descriptor is one of a bounded
 * number the table keeps open (see {@link InodeTable}), and otherwise reopened from the inode's file
 * handle.
 */
final class Inode {
    final long nodeid;
    final long dev;
    final long ino;
    final int type;
    private final InodeTable table;

    // Guarded by the table's lock.
    /** The open O_PATH descriptor, or -1 while closed. */
    int cachedFd;
    /** How to reopen it: encoded when its descriptor was last closed; null before. */
    FileHandle handle;
    /** Requests using {@link #cachedFd} now, plus open files of the DPU on it: while above 0, the descriptor stays open. */
    int pins;
    /** The kernel forgot it (or it was dropped): its node id answers ESTALE. */
    boolean forgotten;

    private long lookups;

    Inode(InodeTable table, long nodeid, int fd, long dev, long ino, int type) {
        this.table = table;
        this.nodeid = nodeid;
        this.cachedFd = fd;
        this.dev = dev;
        this.ino = ino;
        this.type = type;
    }

    /**
     * The inode's O_PATH descriptor, open (reopened by handle if need be) and kept open until the
     * current request ends. ESTALE when the inode is gone or no longer inside the export.
     */
    int fd() throws ErrnoException {
        return table.fd(this);
    }

    /** Guarded by the table's lock. */
    long lookups() {
        return lookups;
    }

    void addLookups(long count) {
        lookups += count;
    }
}
