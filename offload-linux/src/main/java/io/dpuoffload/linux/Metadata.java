package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Attributes of files and file systems: statx, fstatfs/statfs, fchmod/fchmodat, fchownat, utimensat.
 *
 * <p>Stat uses {@code statx(2)} (Linux 4.11, glibc 2.28) rather than {@code newfstatat}: struct statx has one
 * layout on every architecture (struct stat differs between x86_64 and aarch64), always carries nanoseconds,
 * and takes the same {@code AT_*} flags.
 */
public final class Metadata {
    private static final MethodHandle STATX =
            Libc.function("statx", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle FSTATFS =
            Libc.function("fstatfs64", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle STATFS =
            Libc.function("statfs64", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle FCHMOD =
            Libc.function("fchmod", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle FCHMODAT =
            Libc.function("fchmodat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FCHMODAT2 = Libc.syscall(JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle FCHOWNAT =
            Libc.function("fchownat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle UTIMENSAT =
            Libc.function("utimensat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));

    private static final byte[] EMPTY = new byte[0];

    private Metadata() {}

    /**
     * statx(2) of {@code path} relative to {@code dirfd}. Flags: {@link Flags#AT_SYMLINK_NOFOLLOW} (the link
     * itself), {@link Flags#AT_EMPTY_PATH} with an empty path (the dirfd itself, O_PATH fds included), {@link
     * Flags#AT_NO_AUTOMOUNT}, AT_STATX_*_SYNC. Asks for the basic fields (those of struct stat).
     */
    public static Stat statx(int dirfd, byte[] path, int flags) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            return statx(s, dirfd, s.cString(path), flags, path);
        }
    }

    public static Stat statx(int dirfd, String path, int flags) throws ErrnoException {
        return statx(dirfd, Bytes.of(path), flags);
    }

    /** statx with a path that is already a C string in native memory (e.g. inside a FUSE request). */
    public static Stat statx(int dirfd, MemorySegment cPath, int flags) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            return statx(s, dirfd, CStrings.requireTerminated(cPath), flags, null);
        }
    }

    /** The attributes of an open descriptor (O_PATH included): statx(fd, "", AT_EMPTY_PATH). */
    public static Stat fstat(int fd) throws ErrnoException {
        return statx(fd, EMPTY, Flags.AT_EMPTY_PATH);
    }

    private static Stat statx(Scratch s, int dirfd, MemorySegment cPath, int flags, byte[] path) throws ErrnoException {
        MemorySegment buf = s.allocate(Stat.STATX);
        long r = Downcalls.onceOrErrno(
                s, e -> (int) STATX.invokeExact(e, dirfd, cPath, flags, Stat.STATX_BASIC_STATS, buf));
        if (r < 0) {
            throw new ErrnoException("statx", FileCalls.pathOrSegment(path, cPath), (int) -r);
        }
        return Stat.fromStatx(buf);
    }

    /** fstatfs(2) of the file system holding {@code fd} (O_PATH fds work). */
    public static StatFs fstatfs(int fd) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment buf = s.allocate(StatFs.STATFS);
            Downcalls.once(s, "fstatfs", e -> (int) FSTATFS.invokeExact(e, fd, buf));
            return StatFs.fromStatfs(buf);
        }
    }

    /** statfs(2) of the file system holding {@code path}. */
    public static StatFs statfs(byte[] path) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment buf = s.allocate(StatFs.STATFS);
            Downcalls.once(s, "statfs", path, e -> (int) STATFS.invokeExact(e, s.cString(path), buf));
            return StatFs.fromStatfs(buf);
        }
    }

    public static StatFs statfs(String path) throws ErrnoException {
        return statfs(Bytes.of(path));
    }

    /** fchmod(2). EBADF on an O_PATH descriptor: use {@link #fchmodat} with AT_EMPTY_PATH. */
    public static void fchmod(int fd, int mode) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            Downcalls.once(s, "fchmod", e -> (int) FCHMOD.invokeExact(e, fd, mode));
        }
    }

    /**
     * Change permission bits. With {@code flags == 0} this is fchmodat(2) (any kernel). With flags ({@link
     * Flags#AT_SYMLINK_NOFOLLOW}, {@link Flags#AT_EMPTY_PATH}) it is the fchmodat2 system call of Linux 6.6+
     * (ENOSYS before); AT_EMPTY_PATH with an empty path changes an O_PATH descriptor's file, and
     * AT_SYMLINK_NOFOLLOW on a symlink fails with EOPNOTSUPP, as Linux cannot chmod symlinks.
     */
    public static void fchmodat(int dirfd, byte[] path, int mode, int flags) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment cPath = s.cString(path);
            long r;
            try {
                if (flags == 0) {
                    r = (int) FCHMODAT.invokeExact(s.errnoState(), dirfd, cPath, mode, 0);
                } else {
                    r = (long) FCHMODAT2.invokeExact(
                            s.errnoState(), Syscalls.FCHMODAT2, (long) dirfd, cPath, (long) mode, (long) flags);
                }
            } catch (Throwable t) {
                throw Libc.unexpected(t);
            }
            if (r == -1) {
                throw new ErrnoException(flags == 0 ? "fchmodat" : "fchmodat2", path, s.errno());
            }
        }
    }

    public static void fchmodat(int dirfd, String path, int mode, int flags) throws ErrnoException {
        fchmodat(dirfd, Bytes.of(path), mode, flags);
    }

    /**
     * fchownat(2); -1 leaves an id unchanged. Flags: {@link Flags#AT_SYMLINK_NOFOLLOW} (the link itself),
     * {@link Flags#AT_EMPTY_PATH} with an empty path (the dirfd itself, O_PATH fds included).
     */
    public static void fchownat(int dirfd, byte[] path, int uid, int gid, int flags) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            Downcalls.once(
                    s, "fchownat", path, e -> (int) FCHOWNAT.invokeExact(e, dirfd, s.cString(path), uid, gid, flags));
        }
    }

    public static void fchownat(int dirfd, String path, int uid, int gid, int flags) throws ErrnoException {
        fchownat(dirfd, Bytes.of(path), uid, gid, flags);
    }

    /** fchownat(fd, "", uid, gid, AT_EMPTY_PATH): works on O_PATH descriptors too. */
    public static void fchown(int fd, int uid, int gid) throws ErrnoException {
        fchownat(fd, EMPTY, uid, gid, Flags.AT_EMPTY_PATH);
    }

    /**
     * utimensat(2): set access and modification times. A nanosecond value of {@link Flags#UTIME_NOW} sets
     * that time to now, {@link Flags#UTIME_OMIT} leaves it (the seconds are then ignored). Flags: {@link
     * Flags#AT_SYMLINK_NOFOLLOW}, {@link Flags#AT_EMPTY_PATH} with an empty path (the dirfd itself).
     */
    public static void utimensat(
            int dirfd, byte[] path, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec, int flags)
            throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment times = s.allocate(32, 8);
            times.set(JAVA_LONG, 0, atimeSec);
            times.set(JAVA_LONG, 8, atimeNsec);
            times.set(JAVA_LONG, 16, mtimeSec);
            times.set(JAVA_LONG, 24, mtimeNsec);
            Downcalls.once(
                    s, "utimensat", path, e -> (int) UTIMENSAT.invokeExact(e, dirfd, s.cString(path), times, flags));
        }
    }

    public static void utimensat(
            int dirfd, String path, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec, int flags)
            throws ErrnoException {
        utimensat(dirfd, Bytes.of(path), atimeSec, atimeNsec, mtimeSec, mtimeNsec, flags);
    }

    /** Times of an open descriptor (O_PATH included): utimensat(fd, "", …, AT_EMPTY_PATH). */
    public static void futimens(int fd, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec)
            throws ErrnoException {
        utimensat(fd, EMPTY, atimeSec, atimeNsec, mtimeSec, mtimeNsec, Flags.AT_EMPTY_PATH);
    }
}
