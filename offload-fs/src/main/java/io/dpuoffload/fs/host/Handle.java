package io.dpuoffload.fs.host;

/**
 * An open file or directory of the DPU (a FUSE file handle): the host descriptor it reads and
 * writes, and the node it belongs to (for the allowlist).
 *
 * @param fifo a shared fifo's end, whose reads and writes may wait for the other side; null otherwise
 */
record Handle(long fh, int fd, long nodeid, boolean directory, FifoEnd fifo) {
    /** A fifo: reads and writes may wait indefinitely for the other end. */
    boolean blocking() {
        return fifo != null;
    }

    /** Closes the descriptor, or, for a fifo, ends what still waits on it first. */
    void close() {
        if (fifo != null) {
            fifo.release();
        } else {
            io.dpuoffload.linux.FileCalls.closeQuietly(fd);
        }
    }
}
