package io.dpuoffload.fs.host;

import io.dpuoffload.fs.fuse.FuseAttr;
import io.dpuoffload.fs.fuse.FuseEntry;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Stat;
import java.time.Duration;

/** Host stat results as the kernel's FUSE attributes and entries, with the export's cache TTL. */
final class Attrs {
    private final long ttlSeconds;
    private final int ttlNanos;

    Attrs(Duration ttl) {
        this.ttlSeconds = ttl.getSeconds();
        this.ttlNanos = ttl.getNano();
    }

    /**
     * The attributes the DPU's kernel sees. A shared fifo is shown as a regular file: for a fifo
     * inode the kernel would make a pipe of its own on the DPU and never ask the host, so readers
     * and writers on different sides would never meet. As a "regular file" opened with stream
     * semantics, every open, read and write reaches the host's real fifo, which blocks, ends and
     * breaks as a fifo does.
     */
    FuseAttr attr(Stat st, boolean sharedFifo) {
        return attr(st, sharedFifo ? (st.mode() & 07777) | Flags.S_IFREG : st.mode());
    }

    static boolean isFifo(Stat st) {
        return (st.mode() & Flags.S_IFMT) == Flags.S_IFIFO;
    }

    private FuseAttr attr(Stat st, int mode) {
        return new FuseAttr(
                st.ino(),
                st.size(),
                st.blocks(),
                st.atimeSec(),
                st.mtimeSec(),
                st.ctimeSec(),
                st.atimeNsec(),
                st.mtimeNsec(),
                st.ctimeNsec(),
                mode,
                (int) st.nlink(),
                st.uid(),
                st.gid(),
                encodeDev(st.rdev()),
                st.blksize(),
                0);
    }

    FuseEntry entry(Inode inode, Stat st, boolean sharedFifo) {
        return new FuseEntry(inode.nodeid, 0, ttlSeconds, ttlNanos, ttlSeconds, ttlNanos, attr(st, sharedFifo));
    }

    /** As the host has it, with no cache lifetime: a reply to MKNOD must show the type that was asked for. */
    FuseEntry exactUncachedEntry(Inode inode, Stat st) {
        return new FuseEntry(inode.nodeid, 0, 0, 0, 0, 0, attr(st, false));
    }

    FuseEntry negative() {
        return FuseEntry.negative(ttlSeconds, ttlNanos);
    }

    long ttlSeconds() {
        return ttlSeconds;
    }

    int ttlNanos() {
        return ttlNanos;
    }

    boolean caches() {
        return ttlSeconds > 0 || ttlNanos > 0;
    }

    /** dev_t (glibc's 64-bit makedev) → the kernel's 32-bit new_encode_dev, which FUSE carries. */
    static int encodeDev(long dev) {
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        return (int) ((minor & 0xff) | (major << 8) | ((minor & ~0xffL) << 12));
    }

    /** The kernel's new_decode_dev → glibc's makedev. */
    static long decodeDev(int encoded) {
        long value = Integer.toUnsignedLong(encoded);
        long major = (value & 0xfff00) >>> 8;
        long minor = (value & 0xff) | ((value >>> 12) & 0xfff00);
        return Stat.makedev((int) major, (int) minor);
    }
}
