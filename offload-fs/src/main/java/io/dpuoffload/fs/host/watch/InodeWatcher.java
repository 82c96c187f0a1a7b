package io.dpuoffload.fs.host.watch;

/**
 * Told by a session's inode table which host inodes the DPU knows: each new node once, while its
 * descriptor is open, and each forgotten one before its descriptor is closed.
 */
public interface InodeWatcher {
    /** Watches nothing: exports whose DPU caches nothing (cache: none). */
    InodeWatcher NONE = new InodeWatcher() {
        @Override
        public void added(long nodeid, int fd, long dev, int type) {}

        @Override
        public void removed(long nodeid, int fd) {}
    };

    /** {@code fd} names the inode (O_PATH will do); {@code type} is its S_IFMT bits. */
    void added(long nodeid, int fd, long dev, int type);

    void removed(long nodeid, int fd);
}
