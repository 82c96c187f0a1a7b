package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Operations on names in a directory: mkdirat, mknodat, unlinkat, renameat2, linkat, symlinkat, readlinkat,
 * faccessat2. Paths are relative to a directory descriptor ({@link Flags#AT_FDCWD} for the current directory).
 */
public final class PathCalls {
    private static final MethodHandle MKDIRAT =
            Libc.function("mkdirat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle MKNODAT =
            Libc.function("mknodat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
    private static final MethodHandle UNLINKAT =
            Libc.function("unlinkat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RENAMEAT2 =
            Libc.function("renameat2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LINKAT =
            Libc.function("linkat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SYMLINKAT =
            Libc.function("symlinkat", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    private static final MethodHandle READLINKAT =
            Libc.function("readlinkat", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle FACCESSAT2 = Libc.syscall(JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG);

    private PathCalls() {}

    public static void mkdirat(int dirfd, byte[] path, int mode) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            Downcalls.once(s, "mkdirat", path, e -> (int) MKDIRAT.invokeExact(e, dirfd, s.cString(path), mode));
        }
    }

    public static void mkdirat(int dirfd, String path, int mode) throws ErrnoException {
        mkdirat(dirfd, Bytes.of(path), mode);
    }

    /**
     * mknodat(2): {@code mode} holds the type ({@link Flags#S_IFIFO}, S_IFREG, S_IFSOCK, or S_IFCHR/S_IFBLK
     * with CAP_MKNOD) and the permissions; {@code dev} is a {@link Stat#makedev} value for devices.
     */
    public static void mknodat(int dirfd, byte[] path, int mode, long dev) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            Downcalls.once(s, "mknodat", path, e -> (int) MKNODAT.invokeExact(e, dirfd, s.cString(path), mode, dev));
        }
    }

    public static void mknodat(int dirfd, String path, int mode, long dev) throws ErrnoException {
        mknodat(dirfd, Bytes.of(path), mode, dev);
    }

    /** unlinkat(2); {@link Flags#AT_REMOVEDIR} removes an (empty) directory instead. */
    public static void unlinkat(int dirfd, byte[] path, int flags) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            Downcalls.once(s, "unlinkat", path, e -> (int) UNLINKAT.invokeExact(e, dirfd, s.cString(path), flags));
        }
    }

    public static void unlinkat(int dirfd, String path, int flags) throws ErrnoException {
        unlinkat(dirfd, Bytes.of(path), flags);
    }

    /**
     * renameat2(2) (Linux 3.15; flags need file-system support, EINVAL otherwise): {@link
     * Flags#RENAME_NOREPLACE}, {@link Flags#RENAME_EXCHANGE}, {@link Flags#RENAME_WHITEOUT}.
     */
    public static void renameat2(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath, int flags)
            throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            int r;
            try {
                r = (int) RENAMEAT2.invokeExact(
                        s.errnoState(), olddirfd, s.cString(oldpath), newdirfd, s.cString(newpath), flags);
            } catch (Throwable t) {
                throw Libc.unexpected(t);
            }
            if (r == -1) {
                throw new ErrnoException("renameat2", oldpath, newpath, s.errno());
            }
        }
    }

    public static void renameat2(int olddirfd, String oldpath, int newdirfd, String newpath, int flags)
            throws ErrnoException {
        renameat2(olddirfd, Bytes.of(oldpath), newdirfd, Bytes.of(newpath), flags);
    }

    /**
     * linkat(2): a new name for an existing file. {@link Flags#AT_SYMLINK_FOLLOW} links the target of a
     * symlink; {@link Flags#AT_EMPTY_PATH} with an empty old path links the file open as {@code olddirfd}
     * (e.g. an O_TMPFILE file; needs CAP_DAC_READ_SEARCH).
     */
    public static void linkat(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath, int flags)
            throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            int r;
            try {
                r = (int) LINKAT.invokeExact(
                        s.errnoState(), olddirfd, s.cString(oldpath), newdirfd, s.cString(newpath), flags);
            } catch (Throwable t) {
                throw Libc.unexpected(t);
            }
            if (r == -1) {
                throw new ErrnoException("linkat", oldpath, newpath, s.errno());
            }
        }
    }

    public static void linkat(int olddirfd, String oldpath, int newdirfd, String newpath, int flags)
            throws ErrnoException {
        linkat(olddirfd, Bytes.of(oldpath), newdirfd, Bytes.of(newpath), flags);
    }

    /** symlinkat(2): create {@code linkpath} (relative to {@code newdirfd}) pointing at {@code target}. */
    public static void symlinkat(byte[] target, int newdirfd, byte[] linkpath) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            Downcalls.once(s, "symlinkat", linkpath, target, e ->
                    (int) SYMLINKAT.invokeExact(e, s.cString(target), newdirfd, s.cString(linkpath)));
        }
    }

    public static void symlinkat(String target, int newdirfd, String linkpath) throws ErrnoException {
        symlinkat(Bytes.of(target), newdirfd, Bytes.of(linkpath));
    }

    /**
     * readlinkat(2): the target of a symlink, as bytes. An empty path reads the link open as {@code dirfd}
     * (an O_PATH|O_NOFOLLOW descriptor). Targets longer than PATH_MAX are read whole, by growing the buffer.
     */
    public static byte[] readlinkat(int dirfd, byte[] path) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment cPath = s.cString(path);
            long size = Limits.PATH_MAX;
            while (true) {
                MemorySegment buf = s.allocate(size, 1);
                long room = size;
                long r = Downcalls.once(
                        s, "readlinkat", path, e -> (long) READLINKAT.invokeExact(e, dirfd, cPath, buf, room));
                if (r < size) {
                    return buf.asSlice(0, r).toArray(JAVA_BYTE);
                }
                size *= 2; // possibly truncated: try again with room to spare
            }
        }
    }

    public static byte[] readlinkat(int dirfd, String path) throws ErrnoException {
        return readlinkat(dirfd, Bytes.of(path));
    }

    /**
     * faccessat2(2) (Linux 5.8): may the caller access {@code path} with {@code mode} ({@link Flags#F_OK} or
     * R_OK|W_OK|X_OK)? Flags {@link Flags#AT_EACCESS} (check with the effective and file-system ids, as a
     * file server acting for a user wants), {@link Flags#AT_SYMLINK_NOFOLLOW}, {@link Flags#AT_EMPTY_PATH}.
     * Made as a raw system call: glibc's faccessat may emulate flags in user space.
     */
    public static void faccessat2(int dirfd, byte[] path, int mode, int flags) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            long r;
            try {
                r = (long) FACCESSAT2.invokeExact(
                        s.errnoState(), Syscalls.FACCESSAT2, (long) dirfd, s.cString(path), (long) mode, (long) flags);
            } catch (Throwable t) {
                throw Libc.unexpected(t);
            }
            if (r == -1) {
                throw new ErrnoException("faccessat2", path, s.errno());
            }
        }
    }

    public static void faccessat2(int dirfd, String path, int mode, int flags) throws ErrnoException {
        faccessat2(dirfd, Bytes.of(path), mode, flags);
    }
}
