package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Opening, closing and moving bytes: openat2, openat, close, dup, fcntl, pipe2, read/write, pread/pwrite,
 * lseek, fsync, fdatasync, ftruncate, fallocate. Each throws {@link ErrnoException} when the kernel says -1.
 *
 * <p>Buffers are {@link MemorySegment}s of native memory (a heap segment is refused with
 * IllegalArgumentException). Transfers return {@code int}: the kernel moves at most {@link
 * Limits#MAX_RW_COUNT} bytes per call. read, write, pread, pwrite and the opens retry EINTR, except that
 * read, write and the opens end with it on a thread that {@link ThreadInterrupts} interrupted.
 */
public final class FileCalls {
    /** struct open_how (linux/openat2.h): flags, mode, resolve, each a u64. */
    static final MemoryLayout OPEN_HOW = MemoryLayout.structLayout(
            JAVA_LONG.withName("flags"), JAVA_LONG.withName("mode"), JAVA_LONG.withName("resolve"));

    private static final MethodHandle OPENAT2 = Libc.syscall(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG);
    private static final MethodHandle OPENAT =
            Libc.variadic("openat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 3);
    private static final MethodHandle CLOSE = Libc.function("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle DUP = Libc.function("dup", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle FCNTL_INT =
            Libc.variadic("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), 2);
    private static final MethodHandle PIPE2 =
            Libc.function("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle READ =
            Libc.function("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE =
            Libc.function("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle PREAD =
            Libc.function("pread64", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle PWRITE =
            Libc.function("pwrite64", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle LSEEK =
            Libc.function("lseek64", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle FSYNC = Libc.function("fsync", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle FDATASYNC = Libc.function("fdatasync", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle FTRUNCATE =
            Libc.function("ftruncate64", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle COPY_FILE_RANGE = Libc.function(
            "copy_file_range",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle FALLOCATE =
            Libc.function("fallocate64", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));

    private FileCalls() {}

    // ---- opening ----

    /**
     * openat2(2) (Linux 5.6+): open {@code path} relative to {@code dirfd} with {@code RESOLVE_*} limits on
     * how the path may be walked, e.g. {@link Flags#RESOLVE_BENEATH} to stay inside an export. Unknown bits
     * in {@code flags} fail with EINVAL (unlike openat, which ignores them); {@code mode} must be 0 unless
     * O_CREAT or O_TMPFILE is set.
     */
    public static int openat2(int dirfd, byte[] path, long flags, long mode, long resolve) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            return openat2(s, dirfd, s.cString(path), flags, mode, resolve, path);
        }
    }

    public static int openat2(int dirfd, String path, long flags, long mode, long resolve) throws ErrnoException {
        return openat2(dirfd, Bytes.of(path), flags, mode, resolve);
    }

    /**
     * openat2 with a path that is already a NUL-terminated C string in native memory, e.g. a name inside a
     * FUSE request buffer: no copy is made.
     */
    public static int openat2(int dirfd, MemorySegment cPath, long flags, long mode, long resolve)
            throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            return openat2(s, dirfd, CStrings.requireTerminated(cPath), flags, mode, resolve, null);
        }
    }

    private static int openat2(
            Scratch s, int dirfd, MemorySegment cPath, long flags, long mode, long resolve, byte[] pathForError)
            throws ErrnoException {
        MemorySegment how = s.allocate(OPEN_HOW);
        how.set(JAVA_LONG, 0, flags);
        how.set(JAVA_LONG, 8, mode);
        how.set(JAVA_LONG, 16, resolve);
        return (int) Downcalls.retrying(s, "openat2", pathOrSegment(pathForError, cPath), e ->
                (long) OPENAT2.invokeExact(e, Syscalls.OPENAT2, (long) dirfd, cPath, how, OPEN_HOW.byteSize()));
    }

    /** openat(2): open {@code path} relative to {@code dirfd}; {@code mode} matters with O_CREAT/O_TMPFILE. */
    public static int openat(int dirfd, byte[] path, int flags, int mode) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment cPath = s.cString(path);
            return (int)
                    Downcalls.retrying(s, "openat", path, e -> (int) OPENAT.invokeExact(e, dirfd, cPath, flags, mode));
        }
    }

    public static int openat(int dirfd, String path, int flags, int mode) throws ErrnoException {
        return openat(dirfd, Bytes.of(path), flags, mode);
    }

    /**
     * close(2). Not retried on EINTR: on Linux the descriptor is released even then, and a retry could close
     * a descriptor another thread has just been given.
     */
    public static void close(int fd) throws ErrnoException {
        simple(CLOSE, "close", fd);
    }

    public static int dup(int fd) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            return (int) Downcalls.once(s, "dup", e -> (int) DUP.invokeExact(e, fd));
        }
    }

    /**
     * fcntl(2) with an int argument: {@link Flags#F_GETFL}, {@link Flags#F_SETFL}, F_GETFD/F_SETFD,
     * F_DUPFD_CLOEXEC, F_GETPIPE_SZ/F_SETPIPE_SZ. The lock commands are in {@link Locks}.
     */
    public static int fcntl(int fd, int cmd, int arg) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            return (int) Downcalls.once(s, "fcntl", e -> (int) FCNTL_INT.invokeExact(e, fd, cmd, arg));
        }
    }

    /** close(2) where a failure changes nothing for the caller (cleanup paths): the descriptor is gone either way. */
    public static void closeQuietly(int fd) {
        try {
            close(fd);
        } catch (ErrnoException ignored) {
            // closed either way (EBADF: it already was; EIO: nothing left to do about it)
        }
    }

    /** pipe2(2): {@code {readFd, writeFd}}; flags O_CLOEXEC, O_NONBLOCK, O_DIRECT. */
    public static int[] pipe2(int flags) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment fds = s.allocate(8, 4);
            Downcalls.once(s, "pipe2", e -> (int) PIPE2.invokeExact(e, fds, flags));
            return new int[] {fds.get(JAVA_INT, 0), fds.get(JAVA_INT, 4)};
        }
    }

    // ---- moving bytes ----

    /** read(2) into the whole of {@code buffer}; 0 at end of file. */
    public static int read(int fd, MemorySegment buffer) throws ErrnoException {
        return read(fd, buffer, "read");
    }

    /** write(2) of the first {@code length} bytes of {@code buffer}; returns how many were written. */
    public static int write(int fd, MemorySegment buffer, long length) throws ErrnoException {
        return write(fd, buffer, length, "write");
    }

    /** read(2) of up to {@code length} bytes for non-blocking relays: the count (0 at end), or {@code -errno}. */
    public static long readSome(int fd, MemorySegment buffer, long length) {
        checkLength(buffer, length);
        try (Scratch s = Scratch.acquire()) {
            return Downcalls.orErrno(s, e -> (long) READ.invokeExact(e, fd, buffer, length));
        }
    }

    /** write(2) for non-blocking relays: the count written, or {@code -errno} (EAGAIN, EPIPE). */
    public static long writeSome(int fd, MemorySegment buffer, long length) {
        checkLength(buffer, length);
        try (Scratch s = Scratch.acquire()) {
            return Downcalls.orErrno(s, e -> (long) WRITE.invokeExact(e, fd, buffer, length));
        }
    }

    static int read(int fd, MemorySegment buffer, String call) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            return (int) Downcalls.retrying(s, call, e -> (long) READ.invokeExact(e, fd, buffer, buffer.byteSize()));
        }
    }

    static int write(int fd, MemorySegment buffer, long length, String call) throws ErrnoException {
        checkLength(buffer, length);
        try (Scratch s = Scratch.acquire()) {
            return (int) Downcalls.retrying(s, call, e -> (long) WRITE.invokeExact(e, fd, buffer, length));
        }
    }

    /** write(2) of the whole of {@code buffer}. */
    public static int write(int fd, MemorySegment buffer) throws ErrnoException {
        return write(fd, buffer, buffer.byteSize());
    }

    /** pread(2) into the whole of {@code buffer} from {@code offset}; 0 at or past end of file. */
    public static int pread(int fd, MemorySegment buffer, long offset) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            return (int) Downcalls.retryingEveryEintr(
                    s, "pread", e -> (long) PREAD.invokeExact(e, fd, buffer, buffer.byteSize(), offset));
        }
    }

    /** pwrite(2) of the first {@code length} bytes of {@code buffer} at {@code offset}. */
    public static int pwrite(int fd, MemorySegment buffer, long length, long offset) throws ErrnoException {
        checkLength(buffer, length);
        try (Scratch s = Scratch.acquire()) {
            return (int) Downcalls.retryingEveryEintr(
                    s, "pwrite", e -> (long) PWRITE.invokeExact(e, fd, buffer, length, offset));
        }
    }

    /**
     * lseek(2). {@link Flags#SEEK_DATA}/{@link Flags#SEEK_HOLE} find data and holes in sparse files; both fail
     * with ENXIO at or past the end. On a directory, seeking to a {@link DirEntry#offset()} cookie resumes
     * {@link Directories#getdents64}.
     */
    public static long lseek(int fd, long offset, int whence) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            return Downcalls.once(s, "lseek", e -> (long) LSEEK.invokeExact(e, fd, offset, whence));
        }
    }

    public static void fsync(int fd) throws ErrnoException {
        simple(FSYNC, "fsync", fd);
    }

    public static void fdatasync(int fd) throws ErrnoException {
        simple(FDATASYNC, "fdatasync", fd);
    }

    public static void ftruncate(int fd, long length) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            Downcalls.once(s, "ftruncate", e -> (int) FTRUNCATE.invokeExact(e, fd, length));
        }
    }

    /**
     * fallocate(2): mode 0 allocates (and extends); {@link Flags#FALLOC_FL_KEEP_SIZE} allocates without
     * changing the size; {@code FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE} deallocates. EOPNOTSUPP where the
     * file system cannot.
     */
    public static void fallocate(int fd, int mode, long offset, long length) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            Downcalls.once(s, "fallocate", e -> (int) FALLOCATE.invokeExact(e, fd, mode, offset, length));
        }
    }

    /**
     * copy_file_range(2) of up to {@code length} bytes from {@code fdIn} at {@code offsetIn} to
     * {@code fdOut} at {@code offsetOut} (neither descriptor's offset moves), done by the kernel
     * without the data passing through here, by reflink where the file system can; returns the
     * bytes copied, fewer near the end of the input and 0 at or past it.
     */
    public static long copyFileRange(int fdIn, long offsetIn, int fdOut, long offsetOut, long length)
            throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment offsets = s.allocate(16, 8);
            offsets.set(JAVA_LONG, 0, offsetIn);
            offsets.set(JAVA_LONG, 8, offsetOut);
            return Downcalls.retryingEveryEintr(s, "copy_file_range", e ->
                    (long) COPY_FILE_RANGE.invokeExact(e, fdIn, offsets, fdOut, offsets.asSlice(8), length, 0));
        }
    }

    private static void simple(MethodHandle handle, String call, int fd) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            Downcalls.once(s, call, e -> (int) handle.invokeExact(e, fd));
        }
    }

    private static void checkLength(MemorySegment buffer, long length) {
        if (length < 0 || length > buffer.byteSize()) {
            throw new IndexOutOfBoundsException(
                    "length " + length + " outside a buffer of " + buffer.byteSize() + " bytes");
        }
    }

    /** For an error message: the path as given, or read back from the C string. */
    static byte[] pathOrSegment(byte[] path, MemorySegment cPath) {
        if (path != null) {
            return path;
        }
        return CStrings.bytes(cPath);
    }
}
