package io.dpuoffload.fs.host;

/**
 * An open file or directory of the DPU (a FUSE file handle): the host descriptor it reads and
 * writes, and the node it belongs to (for the allowlist).
 *
 * @param blocking a fifo: reads and writes may wait indefinitely for the other end
 */
record Handle(long fh, int fd, long nodeid, boolean directory, boolean blocking) {}
