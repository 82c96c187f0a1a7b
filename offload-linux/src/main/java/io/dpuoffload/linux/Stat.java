package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * A file's attributes, as {@code statx(2)} reports them (see {@link Metadata#statx}). Ids and the mode are
 * unsigned in C: use {@link Integer#toUnsignedLong} for ids above 2^31. {@code dev} and {@code rdev} use
 * glibc's {@code dev_t} encoding ({@link #makedev}); times are seconds since the epoch plus nanoseconds.
 */
public record Stat(
        long dev,
        long ino,
        int mode,
        long nlink,
        int uid,
        int gid,
        long rdev,
        long size,
        int blksize,
        long blocks,
        long atimeSec,
        int atimeNsec,
        long mtimeSec,
        int mtimeNsec,
        long ctimeSec,
        int ctimeNsec) {

    /** struct statx_timestamp: s64 tv_sec, u32 tv_nsec, s32 reserved. */
    static final StructLayout STATX_TIMESTAMP = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"), JAVA_INT.withName("tv_nsec"), JAVA_INT.withName("reserved"));

    /** struct statx (linux/stat.h), 256 bytes; one layout on every architecture, unlike struct stat. */
    static final StructLayout STATX = MemoryLayout.structLayout(
            JAVA_INT.withName("stx_mask"),
            JAVA_INT.withName("stx_blksize"),
            JAVA_LONG.withName("stx_attributes"),
            JAVA_INT.withName("stx_nlink"),
            JAVA_INT.withName("stx_uid"),
            JAVA_INT.withName("stx_gid"),
            JAVA_SHORT.withName("stx_mode"),
            JAVA_SHORT.withName("spare0"),
            JAVA_LONG.withName("stx_ino"),
            JAVA_LONG.withName("stx_size"),
            JAVA_LONG.withName("stx_blocks"),
            JAVA_LONG.withName("stx_attributes_mask"),
            STATX_TIMESTAMP.withName("stx_atime"),
            STATX_TIMESTAMP.withName("stx_btime"),
            STATX_TIMESTAMP.withName("stx_ctime"),
            STATX_TIMESTAMP.withName("stx_mtime"),
            JAVA_INT.withName("stx_rdev_major"),
            JAVA_INT.withName("stx_rdev_minor"),
            JAVA_INT.withName("stx_dev_major"),
            JAVA_INT.withName("stx_dev_minor"),
            JAVA_LONG.withName("stx_mnt_id"),
            JAVA_INT.withName("stx_dio_mem_align"),
            JAVA_INT.withName("stx_dio_offset_align"),
            MemoryLayout.sequenceLayout(12, JAVA_LONG).withName("spare3"));

    /** The fields of struct stat: type, mode, nlink, uid, gid, atime, mtime, ctime, ino, size, blocks. */
    static final int STATX_BASIC_STATS = 0x7ff;

    private static final long BLKSIZE = offset("stx_blksize");
    private static final long NLINK = offset("stx_nlink");
    private static final long UID = offset("stx_uid");
    private static final long GID = offset("stx_gid");
    private static final long MODE = offset("stx_mode");
    private static final long INO = offset("stx_ino");
    private static final long SIZE = offset("stx_size");
    private static final long BLOCKS = offset("stx_blocks");
    private static final long ATIME = offset("stx_atime");
    private static final long CTIME = offset("stx_ctime");
    private static final long MTIME = offset("stx_mtime");
    private static final long RDEV_MAJOR = offset("stx_rdev_major");
    private static final long RDEV_MINOR = offset("stx_rdev_minor");
    private static final long DEV_MAJOR = offset("stx_dev_major");
    private static final long DEV_MINOR = offset("stx_dev_minor");

    static Stat fromStatx(MemorySegment b) {
        return new Stat(
                makedev(b.get(JAVA_INT, DEV_MAJOR), b.get(JAVA_INT, DEV_MINOR)),
                b.get(JAVA_LONG, INO),
                Short.toUnsignedInt(b.get(JAVA_SHORT, MODE)),
                Integer.toUnsignedLong(b.get(JAVA_INT, NLINK)),
                b.get(JAVA_INT, UID),
                b.get(JAVA_INT, GID),
                makedev(b.get(JAVA_INT, RDEV_MAJOR), b.get(JAVA_INT, RDEV_MINOR)),
                b.get(JAVA_LONG, SIZE),
                b.get(JAVA_INT, BLKSIZE),
                b.get(JAVA_LONG, BLOCKS),
                b.get(JAVA_LONG, ATIME),
                b.get(JAVA_INT, ATIME + 8),
                b.get(JAVA_LONG, MTIME),
                b.get(JAVA_INT, MTIME + 8),
                b.get(JAVA_LONG, CTIME),
                b.get(JAVA_INT, CTIME + 8));
    }

    /** The S_IF* bits of the mode. */
    public int type() {
        return mode & Flags.S_IFMT;
    }

    /** The permission bits including set-id and sticky (mode & 07777). */
    public int permissions() {
        return mode & 07777;
    }

    public boolean isDirectory() {
        return type() == Flags.S_IFDIR;
    }

    public boolean isRegularFile() {
        return type() == Flags.S_IFREG;
    }

    public boolean isSymbolicLink() {
        return type() == Flags.S_IFLNK;
    }

    public boolean isFifo() {
        return type() == Flags.S_IFIFO;
    }

    /** glibc's {@code makedev}: the dev_t of a major and minor number. */
    public static long makedev(int major, int minor) {
        long ma = Integer.toUnsignedLong(major);
        long mi = Integer.toUnsignedLong(minor);
        return ((ma & 0x00000fffL) << 8) | ((ma & 0xfffff000L) << 32) | (mi & 0x000000ffL) | ((mi & 0xffffff00L) << 12);
    }

    public static int major(long dev) {
        return (int) (((dev >>> 8) & 0x00000fffL) | ((dev >>> 32) & 0xfffff000L));
    }

    public static int minor(long dev) {
        return (int) ((dev & 0x000000ffL) | ((dev >>> 12) & 0xffffff00L));
    }

    private static long offset(String field) {
        return STATX.byteOffset(PathElement.groupElement(field));
    }
}
