package io.dpuoffload.fs.host;

/**
 * A host inode the DPU's kernel knows by node id: an O_PATH descriptor (which pins the inode and
 * lets every later operation start from it, never from a path) and the kernel's lookup count.
 */
final class Inode {
    final long nodeid;
    final int fd;
    final long dev;
    final long ino;
    final int type;
    private long lookups;

    Inode(long nodeid, int fd, long dev, long ino, int type) {
        this.nodeid = nodeid;
        this.fd = fd;
        this.dev = dev;
        this.ino = ino;
        this.type = type;
    }

    /** Guarded by the table's lock. */
    long lookups() {
        return lookups;
    }

    void addLookups(long count) {
        lookups += count;
    }
}
