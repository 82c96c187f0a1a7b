package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * Extended attributes: get, set, list and remove, each on a path (following symlinks), on a symlink itself
 * ({@code l*}) or on an open descriptor ({@code f*}; not an O_PATH one, which gives EBADF — use the path
 * {@code /proc/self/fd/N} for those). Names carry their namespace ({@code user.}, {@code trusted.}, {@code
 * security.}, {@code system.}); values are bytes.
 *
 * <p>The segment forms keep the kernel's size-probe semantics, as FUSE's getxattr/listxattr need them: an
 * empty segment ({@link MemorySegment#NULL}) returns the size a value needs, a too-small one fails with
 * ERANGE. The {@code byte[]} forms do the probing. A missing attribute is ENODATA; a file system without
 * xattrs answers EOPNOTSUPP; {@code user.} attributes on symlinks and special files are EPERM.
 */
public final class Xattrs {
    /** setxattr: fail with EEXIST if the attribute exists. */
    public static final int XATTR_CREATE = 1;
    /** setxattr: fail with ENODATA if the attribute does not exist. */
    public static final int XATTR_REPLACE = 2;

    /** First guess for a value's size, to read most values in one system call. */
    private static final int FIRST_TRY = 1024;

    private static final FunctionDescriptor GET_PATH =
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
    private static final FunctionDescriptor GET_FD =
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG);
    private static final FunctionDescriptor SET_PATH =
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final FunctionDescriptor SET_FD =
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final FunctionDescriptor LIST_PATH = FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG);
    private static final FunctionDescriptor LIST_FD = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final FunctionDescriptor REMOVE_PATH = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
    private static final FunctionDescriptor REMOVE_FD = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS);

    private static final MethodHandle GETXATTR = Libc.function("getxattr", GET_PATH);
    private static final MethodHandle LGETXATTR = Libc.function("lgetxattr", GET_PATH);
    private static final MethodHandle FGETXATTR = Libc.function("fgetxattr", GET_FD);
    private static final MethodHandle SETXATTR = Libc.function("setxattr", SET_PATH);
    private static final MethodHandle LSETXATTR = Libc.function("lsetxattr", SET_PATH);
    private static final MethodHandle FSETXATTR = Libc.function("fsetxattr", SET_FD);
    private static final MethodHandle LISTXATTR = Libc.function("listxattr", LIST_PATH);
    private static final MethodHandle LLISTXATTR = Libc.function("llistxattr", LIST_PATH);
    private static final MethodHandle FLISTXATTR = Libc.function("flistxattr", LIST_FD);
    private static final MethodHandle REMOVEXATTR = Libc.function("removexattr", REMOVE_PATH);
    private static final MethodHandle LREMOVEXATTR = Libc.function("lremovexattr", REMOVE_PATH);
    private static final MethodHandle FREMOVEXATTR = Libc.function("fremovexattr", REMOVE_FD);

    /** Which object a call names: a path (symlinks followed), a symlink itself, or a descriptor. */
    private enum Target {
        PATH,
        LINK,
        FD
    }

    private Xattrs() {}

    // ---- get ----

    /** getxattr(2) into {@code value}; its size or, with an empty segment, the size needed. */
    public static int getxattr(byte[] path, byte[] name, MemorySegment value) throws ErrnoException {
        return get(Target.PATH, path, -1, name, value);
    }

    public static int lgetxattr(byte[] path, byte[] name, MemorySegment value) throws ErrnoException {
        return get(Target.LINK, path, -1, name, value);
    }

    public static int fgetxattr(int fd, byte[] name, MemorySegment value) throws ErrnoException {
        return get(Target.FD, null, fd, name, value);
    }

    /** The whole value of attribute {@code name} of {@code path}. */
    public static byte[] getxattr(byte[] path, byte[] name) throws ErrnoException {
        return getAll(Target.PATH, path, -1, name);
    }

    public static byte[] getxattr(String path, String name) throws ErrnoException {
        return getxattr(Bytes.of(path), Bytes.of(name));
    }

    public static byte[] lgetxattr(byte[] path, byte[] name) throws ErrnoException {
        return getAll(Target.LINK, path, -1, name);
    }

    public static byte[] fgetxattr(int fd, byte[] name) throws ErrnoException {
        return getAll(Target.FD, null, fd, name);
    }

    public static byte[] fgetxattr(int fd, String name) throws ErrnoException {
        return fgetxattr(fd, Bytes.of(name));
    }

    // ---- set ----

    /** setxattr(2); flags 0, {@link #XATTR_CREATE} or {@link #XATTR_REPLACE}. */
    public static void setxattr(byte[] path, byte[] name, byte[] value, int flags) throws ErrnoException {
        set(Target.PATH, path, -1, name, value, flags);
    }

    public static void setxattr(String path, String name, byte[] value, int flags) throws ErrnoException {
        setxattr(Bytes.of(path), Bytes.of(name), value, flags);
    }

    public static void lsetxattr(byte[] path, byte[] name, byte[] value, int flags) throws ErrnoException {
        set(Target.LINK, path, -1, name, value, flags);
    }

    public static void fsetxattr(int fd, byte[] name, byte[] value, int flags) throws ErrnoException {
        set(Target.FD, null, fd, name, value, flags);
    }

    public static void fsetxattr(int fd, String name, byte[] value, int flags) throws ErrnoException {
        fsetxattr(fd, Bytes.of(name), value, flags);
    }

    // ---- list ----

    /** listxattr(2) into {@code list} (NUL-separated names); its size or, with an empty segment, the size needed. */
    public static int listxattr(byte[] path, MemorySegment list) throws ErrnoException {
        return list(Target.PATH, path, -1, list);
    }

    public static int llistxattr(byte[] path, MemorySegment list) throws ErrnoException {
        return list(Target.LINK, path, -1, list);
    }

    public static int flistxattr(int fd, MemorySegment list) throws ErrnoException {
        return list(Target.FD, null, fd, list);
    }

    /** The names of the attributes of {@code path} the caller may see. */
    public static List<byte[]> listxattr(byte[] path) throws ErrnoException {
        return listAll(Target.PATH, path, -1);
    }

    public static List<byte[]> listxattr(String path) throws ErrnoException {
        return listxattr(Bytes.of(path));
    }

    public static List<byte[]> llistxattr(byte[] path) throws ErrnoException {
        return listAll(Target.LINK, path, -1);
    }

    public static List<byte[]> flistxattr(int fd) throws ErrnoException {
        return listAll(Target.FD, null, fd);
    }

    // ---- remove ----

    public static void removexattr(byte[] path, byte[] name) throws ErrnoException {
        remove(Target.PATH, path, -1, name);
    }

    public static void removexattr(String path, String name) throws ErrnoException {
        removexattr(Bytes.of(path), Bytes.of(name));
    }

    public static void lremovexattr(byte[] path, byte[] name) throws ErrnoException {
        remove(Target.LINK, path, -1, name);
    }

    public static void fremovexattr(int fd, byte[] name) throws ErrnoException {
        remove(Target.FD, null, fd, name);
    }

    public static void fremovexattr(int fd, String name) throws ErrnoException {
        fremovexattr(fd, Bytes.of(name));
    }

    // ---- the calls ----

    private static int get(Target target, byte[] path, int fd, byte[] name, MemorySegment value) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            return get(s, target, target == Target.FD ? null : s.cString(path), fd, s.cString(name), value, path, name);
        }
    }

    private static int get(
            Scratch s,
            Target target,
            MemorySegment cPath,
            int fd,
            MemorySegment cName,
            MemorySegment value,
            byte[] path,
            byte[] name)
            throws ErrnoException {
        long r;
        try {
            r = switch (target) {
                case PATH -> (long) GETXATTR.invokeExact(s.errnoState(), cPath, cName, value, value.byteSize());
                case LINK -> (long) LGETXATTR.invokeExact(s.errnoState(), cPath, cName, value, value.byteSize());
                case FD -> (long) FGETXATTR.invokeExact(s.errnoState(), fd, cName, value, value.byteSize());
            };
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        if (r == -1) {
            throw error(target, "getxattr", path, name, s.errno());
        }
        return (int) r;
    }

    private static byte[] getAll(Target target, byte[] path, int fd, byte[] name) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment cPath = target == Target.FD ? null : s.cString(path);
            MemorySegment cName = s.cString(name);
            long size = FIRST_TRY;
            while (true) {
                MemorySegment value = s.allocate(size, 1);
                try {
                    int n = get(s, target, cPath, fd, cName, value, path, name);
                    return value.asSlice(0, n).toArray(JAVA_BYTE);
                } catch (ErrnoException e) {
                    if (!e.is(Errno.ERANGE)) {
                        throw e;
                    }
                }
                // Larger than the guess: ask for the size (it may change again before the next read: loop).
                size = Math.max(get(s, target, cPath, fd, cName, MemorySegment.NULL, path, name), 1);
            }
        }
    }

    private static void set(Target target, byte[] path, int fd, byte[] name, byte[] value, int flags)
            throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment cName = s.cString(name);
            MemorySegment v = s.allocate(Math.max(value.length, 1), 1);
            MemorySegment.copy(value, 0, v, JAVA_BYTE, 0, value.length);
            long size = value.length;
            int r;
            try {
                r = switch (target) {
                    case PATH -> (int) SETXATTR.invokeExact(s.errnoState(), s.cString(path), cName, v, size, flags);
                    case LINK -> (int) LSETXATTR.invokeExact(s.errnoState(), s.cString(path), cName, v, size, flags);
                    case FD -> (int) FSETXATTR.invokeExact(s.errnoState(), fd, cName, v, size, flags);
                };
            } catch (Throwable t) {
                throw Libc.unexpected(t);
            }
            if (r == -1) {
                throw error(target, "setxattr", path, name, s.errno());
            }
        }
    }

    private static int list(Target target, byte[] path, int fd, MemorySegment list) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            return list(s, target, target == Target.FD ? null : s.cString(path), fd, list, path);
        }
    }

    private static int list(Scratch s, Target target, MemorySegment cPath, int fd, MemorySegment list, byte[] path)
            throws ErrnoException {
        long r;
        try {
            r = switch (target) {
                case PATH -> (long) LISTXATTR.invokeExact(s.errnoState(), cPath, list, list.byteSize());
                case LINK -> (long) LLISTXATTR.invokeExact(s.errnoState(), cPath, list, list.byteSize());
                case FD -> (long) FLISTXATTR.invokeExact(s.errnoState(), fd, list, list.byteSize());
            };
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        if (r == -1) {
            throw error(target, "listxattr", path, null, s.errno());
        }
        return (int) r;
    }

    private static List<byte[]> listAll(Target target, byte[] path, int fd) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment cPath = target == Target.FD ? null : s.cString(path);
            long size = FIRST_TRY;
            while (true) {
                MemorySegment buf = s.allocate(size, 1);
                try {
                    int n = list(s, target, cPath, fd, buf, path);
                    return splitNames(buf, n);
                } catch (ErrnoException e) {
                    if (!e.is(Errno.ERANGE)) {
                        throw e;
                    }
                }
                size = Math.max(list(s, target, cPath, fd, MemorySegment.NULL, path), 1);
            }
        }
    }

    /** The names in a listxattr result: NUL-terminated, one after another. */
    static List<byte[]> splitNames(MemorySegment buf, int length) {
        List<byte[]> names = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < length; i++) {
            if (buf.get(JAVA_BYTE, i) == 0) {
                if (i > start) {
                    names.add(buf.asSlice(start, i - start).toArray(JAVA_BYTE));
                }
                start = i + 1;
            }
        }
        return names;
    }

    private static void remove(Target target, byte[] path, int fd, byte[] name) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment cName = s.cString(name);
            int r;
            try {
                r = switch (target) {
                    case PATH -> (int) REMOVEXATTR.invokeExact(s.errnoState(), s.cString(path), cName);
                    case LINK -> (int) LREMOVEXATTR.invokeExact(s.errnoState(), s.cString(path), cName);
                    case FD -> (int) FREMOVEXATTR.invokeExact(s.errnoState(), fd, cName);
                };
            } catch (Throwable t) {
                throw Libc.unexpected(t);
            }
            if (r == -1) {
                throw error(target, "removexattr", path, name, s.errno());
            }
        }
    }

    /** The message names the path (if any) and the attribute: {@code getxattr(a/b, user.x): …}. */
    private static ErrnoException error(Target target, String call, byte[] path, byte[] name, int errno) {
        String full =
                switch (target) {
                    case PATH -> call;
                    case LINK -> "l" + call;
                    case FD -> "f" + call;
                };
        return path == null ? new ErrnoException(full, name, errno) : new ErrnoException(full, path, name, errno);
    }
}
