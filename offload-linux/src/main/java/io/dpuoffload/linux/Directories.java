package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * Reading directories with {@code getdents64(2)} from a directory descriptor (opened with O_DIRECTORY; not
 * O_PATH). Each call continues from the descriptor's position; to resume elsewhere, seek to the {@link
 * DirEntry#offset()} of the last entry consumed ({@link #getdents64(int, long, int)}).
 *
 * <p>Two levels: {@link #getdents64(int, MemorySegment)} fills a caller's buffer and {@link #forEach} walks
 * it without allocating (what a FUSE server copying names into a reply wants); the {@code List<DirEntry>}
 * forms are for everyone else.
 */
public final class Directories {
    /** A listing buffer that holds a few hundred typical entries per system call. */
    public static final int DEFAULT_BUFFER = 32 * 1024;

    /** Smallest buffer that always holds one entry: the 19-byte header, NAME_MAX, NUL, 8-byte padding. */
    public static final int MIN_BUFFER = 24 + Limits.NAME_MAX + 1;

    // struct linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, char d_name[]
    static final int D_INO = 0;
    static final int D_OFF = 8;
    static final int D_RECLEN = 16;
    static final int D_TYPE = 18;
    static final int D_NAME = 19;

    private static final MethodHandle GETDENTS64 =
            Libc.function("getdents64", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));

    private Directories() {}

    /** Receives entries from {@link #forEach}; {@code name} is a view of the buffer, valid during the call. */
    @FunctionalInterface
    public interface Visitor {
        /** Return false to stop; the listing then resumes at the previous entry's offset. */
        boolean visit(long ino, long offset, int type, MemorySegment name);
    }

    /** One getdents64(2) into {@code buffer}: the number of bytes filled, 0 at the end of the directory. */
    public static int getdents64(int fd, MemorySegment buffer) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            long r = (long) Downcalls.once(
                    s, "getdents64", e -> (long) GETDENTS64.invokeExact(e, fd, buffer, buffer.byteSize()));
            return (int) r;
        }
    }

    /**
     * Walks the {@code length} bytes a {@link #getdents64(int, MemorySegment)} filled, in order, until the
     * visitor says stop. Returns the number of entries the visitor accepted (returned true for).
     */
    public static int forEach(MemorySegment buffer, int length, Visitor visitor) {
        int pos = 0;
        int count = 0;
        while (pos < length) {
            int reclen = Short.toUnsignedInt(buffer.get(JAVA_SHORT, pos + D_RECLEN));
            MemorySegment record = buffer.asSlice(pos, reclen);
            int nameLength = CStrings.length(record.asSlice(D_NAME));
            boolean more = visitor.visit(
                    record.get(JAVA_LONG, D_INO),
                    record.get(JAVA_LONG, D_OFF),
                    Byte.toUnsignedInt(record.get(JAVA_BYTE, D_TYPE)),
                    record.asSlice(D_NAME, nameLength));
            if (!more) {
                return count;
            }
            count++;
            pos += reclen;
        }
        return count;
    }

    /** One batch from the descriptor's current position; empty at the end of the directory. */
    public static List<DirEntry> getdents64(int fd, int bufferSize) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(Math.max(bufferSize, MIN_BUFFER), 8);
            int n = getdents64(fd, buffer);
            List<DirEntry> entries = new ArrayList<>();
            forEach(
                    buffer,
                    n,
                    (ino, off, type, name) -> entries.add(new DirEntry(ino, off, type, name.toArray(JAVA_BYTE))));
            return entries;
        }
    }

    /** One batch starting after the entry whose offset is {@code cookie} (0: from the beginning). */
    public static List<DirEntry> getdents64(int fd, long cookie, int bufferSize) throws ErrnoException {
        FileCalls.lseek(fd, cookie, Flags.SEEK_SET);
        return getdents64(fd, bufferSize);
    }

    /** Every entry from the descriptor's current position to the end, "." and ".." included. */
    public static List<DirEntry> readAll(int fd) throws ErrnoException {
        List<DirEntry> all = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(DEFAULT_BUFFER, 8);
            int n;
            while ((n = getdents64(fd, buffer)) > 0) {
                forEach(
                        buffer,
                        n,
                        (ino, off, type, name) -> all.add(new DirEntry(ino, off, type, name.toArray(JAVA_BYTE))));
            }
        }
        return all;
    }
}
