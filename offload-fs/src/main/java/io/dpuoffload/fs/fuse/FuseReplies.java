package io.dpuoffload.fs.fuse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encodes replies: {@code fuse_out_header} (length, 0 or a negative errno, the request's unique) and
 * the opcode's reply structure. Each method returns a new little-endian buffer holding exactly one
 * message, positioned at 0: the kernel wants a reply in a single write(2)/writev(2) of exactly its
 * length. Which reply answers which opcode is the caller's choice; the kernel rejects a reply of the
 * wrong size with EINVAL and fails the request with EIO.
 */
public final class FuseReplies {

    private FuseReplies() {}

    /**
     * An error reply ({@code error = -errno}), the only reply with no payload besides {@link #ok}.
     *
     * @param errno a positive errno up to {@link FuseProtocol#MAX_ERRNO}
     */
    public static ByteBuffer error(long unique, int errno) {
        if (errno <= 0 || errno > FuseProtocol.MAX_ERRNO) {
            throw new IllegalArgumentException("errno " + errno + " outside 1.." + FuseProtocol.MAX_ERRNO);
        }
        ByteBuffer b = message(unique, -errno, 0);
        return b.flip();
    }

    /**
     * Success with no payload: UNLINK, RMDIR, RENAME, RENAME2, RELEASE, RELEASEDIR, FLUSH, FSYNC,
     * FSYNCDIR, SETXATTR, REMOVEXATTR, ACCESS, SETLK, SETLKW, FALLOCATE, SYNCFS, DESTROY.
     */
    public static ByteBuffer ok(long unique) {
        return message(unique, 0, 0).flip();
    }

    /** LOOKUP, MKNOD, MKDIR, SYMLINK, LINK: {@code fuse_entry_out}. */
    public static ByteBuffer entry(long unique, FuseEntry entry) {
        ByteBuffer b = message(unique, 0, FuseProtocol.ENTRY_OUT_SIZE);
        putEntry(b, entry);
        return b.flip();
    }

    /** GETATTR, SETATTR: {@code fuse_attr_out}. */
    public static ByteBuffer attr(long unique, long attrValid, int attrValidNsec, FuseAttr attr) {
        ByteBuffer b = message(unique, 0, FuseProtocol.ATTR_OUT_SIZE);
        b.putLong(attrValid).putInt(attrValidNsec).putInt(0);
        putAttr(b, attr);
        return b.flip();
    }

    /** OPEN, OPENDIR: {@code fuse_open_out} (backing_id 0: no passthrough). */
    public static ByteBuffer open(long unique, long fh, int openFlags) {
        ByteBuffer b = message(unique, 0, FuseProtocol.OPEN_OUT_SIZE);
        putOpen(b, fh, openFlags);
        return b.flip();
    }

    /** CREATE, TMPFILE: {@code fuse_entry_out} then {@code fuse_open_out}. */
    public static ByteBuffer create(long unique, FuseEntry entry, long fh, int openFlags) {
        ByteBuffer b = message(unique, 0, FuseProtocol.ENTRY_OUT_SIZE + FuseProtocol.OPEN_OUT_SIZE);
        putEntry(b, entry);
        putOpen(b, fh, openFlags);
        return b.flip();
    }

    /** WRITE and COPY_FILE_RANGE: {@code fuse_write_out}, the bytes written (unsigned 32 bits). */
    public static ByteBuffer write(long unique, int size) {
        return eightBytes(unique, Integer.toUnsignedLong(size));
    }

    /** COPY_FILE_RANGE_64: {@code fuse_copy_file_range_out}. */
    public static ByteBuffer copyFileRange64(long unique, long bytesCopied) {
        return eightBytes(unique, bytesCopied);
    }

    /**
     * READ, READLINK (the target, no NUL), GETXATTR and LISTXATTR with a non-zero size: the bytes
     * themselves (READDIR's come from {@link DirentWriter}). Copies {@code data}'s remaining bytes
     * without moving its position; use {@link #dataHeader} to avoid the copy.
     */
    public static ByteBuffer data(long unique, ByteBuffer data) {
        ByteBuffer b = message(unique, 0, data.remaining());
        b.put(data.duplicate());
        return b.flip();
    }

    /** As {@link #data(long, ByteBuffer)}. */
    public static ByteBuffer data(long unique, byte[] data) {
        return data(unique, ByteBuffer.wrap(data));
    }

    /**
     * Only the header of a data reply, for a gathering write (writev, a composite buffer) of the header
     * then exactly {@code dataLength} bytes, which must go out together.
     */
    public static ByteBuffer dataHeader(long unique, int dataLength) {
        ByteBuffer b = ByteBuffer.allocate(FuseProtocol.OUT_HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(Math.addExact(FuseProtocol.OUT_HEADER_SIZE, dataLength))
                .putInt(0)
                .putLong(unique);
        return b.flip();
    }

    /** GETXATTR and LISTXATTR with size 0: {@code fuse_getxattr_out}, the size a buffer would need. */
    public static ByteBuffer xattrSize(long unique, int size) {
        return eightBytes(unique, Integer.toUnsignedLong(size));
    }

    /** STATFS: {@code fuse_statfs_out}. */
    public static ByteBuffer statfs(long unique, FuseStatfs st) {
        ByteBuffer b = message(unique, 0, FuseProtocol.KSTATFS_SIZE);
        b.putLong(st.blocks())
                .putLong(st.bfree())
                .putLong(st.bavail())
                .putLong(st.files())
                .putLong(st.ffree());
        b.putInt(st.bsize()).putInt(st.namelen()).putInt(st.frsize()).putInt(0);
        b.position(b.limit()); // spare[6] stays zero
        return b.flip();
    }

    /** LSEEK: {@code fuse_lseek_out}, the resulting offset. */
    public static ByteBuffer lseek(long unique, long offset) {
        return eightBytes(unique, offset);
    }

    /** BMAP: {@code fuse_bmap_out}. */
    public static ByteBuffer bmap(long unique, long block) {
        return eightBytes(unique, block);
    }

    /** GETLK: {@code fuse_lk_out}, the conflicting lock, or the request's with type F_UNLCK. */
    public static ByteBuffer lock(long unique, FuseFileLock lock) {
        ByteBuffer b = message(unique, 0, FuseProtocol.FILE_LOCK_SIZE);
        b.putLong(lock.start()).putLong(lock.end()).putInt(lock.type()).putInt(lock.pid());
        return b.flip();
    }

    /** POLL: {@code fuse_poll_out}, the ready events. */
    public static ByteBuffer poll(long unique, int revents) {
        return eightBytes(unique, Integer.toUnsignedLong(revents));
    }

    /**
     * INIT: {@code fuse_init_out}, all 64 bytes (the kernel takes a shorter one, and every kernel from
     * 7.23 on reads all of it). The high 32 flag bits go into flags2 and need INIT_EXT.
     */
    public static ByteBuffer init(long unique, FuseInitOut out) {
        long flags = out.flags();
        if ((flags >>> 32) != 0 && (flags & FuseProtocol.INIT_EXT) == 0) {
            throw new IllegalArgumentException("INIT flags above bit 31 need INIT_EXT: " + Long.toHexString(flags));
        }
        ByteBuffer b = message(unique, 0, FuseProtocol.INIT_OUT_SIZE);
        b.putInt(out.major()).putInt(out.minor()).putInt(out.maxReadahead()).putInt((int) flags);
        b.putShort(u16(out.maxBackground(), "maxBackground")).putShort(u16(out.congestionThreshold(), "congestion"));
        b.putInt(out.maxWrite()).putInt(out.timeGran());
        b.putShort(u16(out.maxPages(), "maxPages")).putShort(u16(out.mapAlignment(), "mapAlignment"));
        b.putInt((int) (flags >>> 32)).putInt(out.maxStackDepth());
        b.putShort(u16(out.requestTimeout(), "requestTimeout"));
        b.position(b.limit()); // unused[11] stays zero
        return b.flip();
    }

    // ---- Shared with DirentWriter and FuseNotifications ----

    /** A zeroed message of header plus {@code payload} bytes, header written, positioned after it. */
    static ByteBuffer message(long unique, int error, int payload) {
        int len = Math.addExact(FuseProtocol.OUT_HEADER_SIZE, payload);
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(len).putInt(error).putLong(unique);
        return b;
    }

    static void putAttr(ByteBuffer b, FuseAttr a) {
        b.putLong(a.ino()).putLong(a.size()).putLong(a.blocks());
        b.putLong(a.atime()).putLong(a.mtime()).putLong(a.ctime());
        b.putInt(a.atimensec()).putInt(a.mtimensec()).putInt(a.ctimensec());
        b.putInt(a.mode()).putInt(a.nlink()).putInt(a.uid()).putInt(a.gid()).putInt(a.rdev());
        b.putInt(a.blksize()).putInt(a.flags());
    }

    /** Note the order: both timeouts' seconds, then both nanoseconds. */
    static void putEntry(ByteBuffer b, FuseEntry e) {
        b.putLong(e.nodeid()).putLong(e.generation()).putLong(e.entryValid()).putLong(e.attrValid());
        b.putInt(e.entryValidNsec()).putInt(e.attrValidNsec());
        putAttr(b, e.attr());
    }

    private static void putOpen(ByteBuffer b, long fh, int openFlags) {
        b.putLong(fh).putInt(openFlags).putInt(0);
    }

    /** The many replies that are one 64-bit word (or a 32-bit one and padding, the same bytes). */
    private static ByteBuffer eightBytes(long unique, long value) {
        ByteBuffer b = message(unique, 0, 8);
        b.putLong(value);
        return b.flip();
    }

    private static short u16(int value, String field) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException(field + " " + value + " does not fit 16 bits");
        }
        return (short) value;
    }
}
