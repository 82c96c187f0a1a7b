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
        public boolean watches(long nodeid) {
            return false;
        }

        @Override
        public void removed(long nodeid, int fd) {}

        @Override
        public void dropped(long nodeid) {}
    };

    /** {@code fd} names the inode (O_PATH will do); {@code type} is its S_IFMT bits. */
    void added(long nodeid, int fd, long dev, int type);

    /**
     * Whether {@link #removed} needs a descriptor for the node: the table reopens a closed one by
     * handle only then.
     */
    boolean watches(long nodeid);

    /**
     * The node goes. {@code fd} names its inode, or is -1 when none could be opened (the inode is
     * gone, or out of reach): then only what the watcher keeps of the node is forgotten. Never throws.
     */
    void removed(long nodeid, int fd);

    /**
     * After {@link #removed}: the table no longer serves a node the DPU still knows (dropped, its node
     * id answers ESTALE). The DPU's kernel must stop trusting what it caches of it, so that it asks,
     * gets ESTALE and looks the name up again, into a node that is watched anew.
     */
    void dropped(long nodeid);
}
