package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * A file system's statistics, as {@code fstatfs(2)} reports them (see {@link Metadata#fstatfs}). Counts are
 * in units of {@code frsize} (blocks) or inodes (files); {@code type} is the magic number (0x01021994 tmpfs,
 * 0xEF53 ext4, 0x65735546 fuse); {@code flags} holds ST_* mount flags (ST_RDONLY = 1, ST_NOSUID = 2 …).
 */
public record StatFs(
        long type,
        long bsize,
        long blocks,
        long bfree,
        long bavail,
        long files,
        long ffree,
        long fsid,
        long namelen,
        long frsize,
        long flags) {

    /** struct statfs of 64-bit Linux (x86_64 and aarch64 alike), 120 bytes. */
    static final StructLayout STATFS = MemoryLayout.structLayout(
            JAVA_LONG.withName("f_type"),
            JAVA_LONG.withName("f_bsize"),
            JAVA_LONG.withName("f_blocks"),
            JAVA_LONG.withName("f_bfree"),
            JAVA_LONG.withName("f_bavail"),
            JAVA_LONG.withName("f_files"),
            JAVA_LONG.withName("f_ffree"),
            MemoryLayout.sequenceLayout(2, JAVA_INT).withName("f_fsid"),
            JAVA_LONG.withName("f_namelen"),
            JAVA_LONG.withName("f_frsize"),
            JAVA_LONG.withName("f_flags"),
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("f_spare"));

    public static final long ST_RDONLY = 1;
    public static final long ST_NOSUID = 2;

    static StatFs fromStatfs(MemorySegment b) {
        return new StatFs(
                b.get(JAVA_LONG, offset("f_type")),
                b.get(JAVA_LONG, offset("f_bsize")),
                b.get(JAVA_LONG, offset("f_blocks")),
                b.get(JAVA_LONG, offset("f_bfree")),
                b.get(JAVA_LONG, offset("f_bavail")),
                b.get(JAVA_LONG, offset("f_files")),
                b.get(JAVA_LONG, offset("f_ffree")),
                b.get(JAVA_LONG, offset("f_fsid")),
                b.get(JAVA_LONG, offset("f_namelen")),
                b.get(JAVA_LONG, offset("f_frsize")),
                b.get(JAVA_LONG, offset("f_flags")));
    }

    private static long offset(String field) {
        return STATFS.byteOffset(PathElement.groupElement(field));
    }
}
