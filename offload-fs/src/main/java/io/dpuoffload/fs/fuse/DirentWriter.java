package io.dpuoffload.fs.fuse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Packs directory entries into a READDIR reply ({@code fuse_dirent}) or a READDIRPLUS reply ({@code
 * fuse_direntplus}: a {@code fuse_entry_out} then the dirent), never more than the request's size.
 * Each record is padded with zeros to a multiple of 8 bytes — the last one too: the kernel drops a
 * record whose padded size runs past the reply. An empty reply means the end of the directory.
 *
 * <p>In READDIRPLUS, every entry with a non-zero node id counts as a lookup the kernel will FORGET
 * later; "." and ".." are not looked up and may carry {@link FuseEntry#negative(long, int)}-like zero
 * entries.
 */
public final class DirentWriter {

    /** First allocation; the buffer grows up to the limit as entries come. */
    private static final int INITIAL_CAPACITY = 4096;

    private final boolean plus;
    private final int limit;
    private ByteBuffer buffer;
    private int count;

    private DirentWriter(boolean plus, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("negative reply size " + limit);
        }
        this.plus = plus;
        this.limit = limit;
        this.buffer = allocate(Math.min(limit, INITIAL_CAPACITY));
    }

    /** A READDIR reply of at most {@code size} bytes of entries (the request's size). */
    public static DirentWriter readdir(int size) {
        return new DirentWriter(false, size);
    }

    /** A READDIRPLUS reply of at most {@code size} bytes of entries (the request's size). */
    public static DirentWriter readdirPlus(int size) {
        return new DirentWriter(true, size);
    }

    /** Bytes a {@code fuse_dirent} with a name of this length takes, padding included. */
    public static int direntSize(int nameLength) {
        return align8(FuseProtocol.DIRENT_NAME_OFFSET + nameLength);
    }

    /** Bytes a {@code fuse_direntplus} with a name of this length takes, padding included. */
    public static int direntPlusSize(int nameLength) {
        return align8(FuseProtocol.DIRENTPLUS_NAME_OFFSET + nameLength);
    }

    /** The dirent type (DT_*) of a file mode: its S_IFMT bits shifted down by 12. */
    public static int typeOf(int mode) {
        return (mode >>> 12) & 0xF;
    }

    /**
     * Adds a READDIR entry if it fits.
     *
     * @param ino the inode number readdir(3) shows
     * @param off the offset a later READDIR passes to continue after this entry
     * @param type DT_* ({@link #typeOf(int)}), 0 if unknown
     * @return false, writing nothing, if the entry would not fit: send the reply and stop
     */
    public boolean add(long ino, long off, int type, byte[] name) {
        if (plus) {
            throw new IllegalStateException("a READDIRPLUS reply needs addPlus");
        }
        return put(null, ino, off, type, name);
    }

    /**
     * Adds a READDIRPLUS entry if it fits; the dirent's ino is {@code entry.attr().ino()}.
     *
     * @return false, writing nothing, if the entry would not fit: send the reply and stop
     */
    public boolean addPlus(FuseEntry entry, long off, int type, byte[] name) {
        if (!plus) {
            throw new IllegalStateException("a READDIR reply takes add, not addPlus");
        }
        return put(entry, entry.attr().ino(), off, type, name);
    }

    /** Bytes of entries so far. */
    public int size() {
        return open().position() - FuseProtocol.OUT_HEADER_SIZE;
    }

    /** Entries so far. */
    public int count() {
        return count;
    }

    /** The whole reply, header included, positioned at 0. Adding after this is an error. */
    public ByteBuffer finish(long unique) {
        ByteBuffer reply = open().flip();
        reply.putInt(0, reply.limit()).putInt(4, 0).putLong(8, unique);
        buffer = null;
        return reply;
    }

    private boolean put(FuseEntry entry, long ino, long off, int type, byte[] name) {
        if (name.length == 0 || name.length > FuseProtocol.NAME_MAX) {
            throw new IllegalArgumentException("directory entry name of " + name.length + " bytes");
        }
        for (byte c : name) {
            if (c == '/' || c == 0) {
                // The kernel fails the whole READDIR with EIO on a '/'; a NUL would cut the name.
                throw new IllegalArgumentException("directory entry name with '/' or NUL");
            }
        }
        int recordSize = entry == null ? direntSize(name.length) : direntPlusSize(name.length);
        if (recordSize > limit - size()) {
            return false;
        }
        ensureRoom(recordSize);
        int start = buffer.position();
        if (entry != null) {
            FuseReplies.putEntry(buffer, entry);
        }
        buffer.putLong(ino).putLong(off).putInt(name.length).putInt(type).put(name);
        buffer.position(start + recordSize); // the padding is already zero
        count++;
        return true;
    }

    private ByteBuffer open() {
        if (buffer == null) {
            throw new IllegalStateException("reply already finished");
        }
        return buffer;
    }

    private void ensureRoom(int recordSize) {
        if (buffer.remaining() >= recordSize) {
            return;
        }
        int needed = size() + recordSize;
        int capacity = (int) Math.min(limit, Math.max(needed, 2L * (buffer.capacity() - FuseProtocol.OUT_HEADER_SIZE)));
        ByteBuffer bigger = allocate(capacity).position(0);
        bigger.put(buffer.flip()); // header space and entries, to the same offsets
        buffer = bigger;
    }

    private static ByteBuffer allocate(int entriesCapacity) {
        ByteBuffer b = ByteBuffer.allocate(FuseProtocol.OUT_HEADER_SIZE + entriesCapacity)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.position(FuseProtocol.OUT_HEADER_SIZE);
        return b;
    }

    private static int align8(int n) {
        return (n + 7) & ~7;
    }
}
