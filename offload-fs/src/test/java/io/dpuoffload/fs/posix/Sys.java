package io.dpuoffload.fs.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The system calls the tests make on paths of the mount, as a program would, with the errno they
 * end in. Most come from offload-linux; the few it lacks (truncate by path, umask, unshare) are
 * declared here.
 */
final class Sys {
    /** CLONE_FS: a thread's own umask and root. CLONE_NEWNS: its own mount namespace. */
    static final int CLONE_FS = 0x200;

    static final int CLONE_NEWNS = 0x20000;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final long ERRNO_OFFSET = Linker.Option.captureStateLayout()
            .byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle TRUNCATE =
            handle("truncate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle UMASK = handle("umask", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle UNSHARE = handle("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    /** A call that may fail with an errno. */
    interface Call {
        void run() throws IOException;
    }

    /** 0 when {@code call} succeeds, else the errno it failed with. */
    static int errno(Call call) throws IOException {
        try {
            call.run();
            return 0;
        } catch (ErrnoException e) {
            return e.errno();
        }
    }

    /** 0 when open(2) succeeds (the descriptor is closed again), else its errno. */
    static int openErrno(Path path, int flags, int mode) throws IOException {
        return errno(() ->
                FileCalls.close(FileCalls.openat(Flags.AT_FDCWD, path.toString(), flags | Flags.O_CLOEXEC, mode)));
    }

    static int open(Path path, int flags, int mode) throws ErrnoException {
        return FileCalls.openat(Flags.AT_FDCWD, path.toString(), flags | Flags.O_CLOEXEC, mode);
    }

    static int open(Path path, int flags) throws ErrnoException {
        return open(path, flags, 0);
    }

    /** pwrite(2) of all of {@code data} at {@code offset}. */
    static void pwrite(int fd, byte[] data, long offset) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buffer, JAVA_BYTE, 0, data.length);
            int done = 0;
            while (done < data.length) {
                done += FileCalls.pwrite(fd, buffer.asSlice(done), data.length - done, offset + done);
            }
        }
    }

    /** write(2) of all of {@code data} at the descriptor's position. */
    static void write(int fd, byte[] data) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buffer, JAVA_BYTE, 0, data.length);
            int done = 0;
            while (done < data.length) {
                done += FileCalls.write(fd, buffer.asSlice(done), data.length - done);
            }
        }
    }

    /** pread(2) of up to {@code length} bytes at {@code offset}, in one call. */
    static byte[] pread(int fd, int length, long offset) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(Math.max(1, length));
            int n = FileCalls.pread(fd, buffer.asSlice(0, length), offset);
            return buffer.asSlice(0, n).toArray(JAVA_BYTE);
        }
    }

    static void close(int fd) {
        try {
            FileCalls.close(fd);
        } catch (ErrnoException ignored) {
            // already closed
        }
    }

    /** truncate(2): by path, so FUSE's SETATTR carries no file handle. */
    static void truncate(Path path, long length) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            int r = (int) TRUNCATE.invokeExact(state, arena.allocateFrom(path.toString()), length);
            if (r == -1) {
                throw new ErrnoException(
                        "truncate",
                        path.toString().getBytes(StandardCharsets.UTF_8),
                        state.get(JAVA_INT, ERRNO_OFFSET));
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** umask(2) of the calling thread's fs context (the whole process unless it did unshare(CLONE_FS)). */
    static int umask(int mask) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) UMASK.invokeExact(arena.allocate(Linker.Option.captureStateLayout()), mask);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** unshare(2) for the calling thread only: CLONE_FS and CLONE_NEWNS are allowed in a threaded process. */
    static void unshare(int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            int r = (int) UNSHARE.invokeExact(state, flags);
            if (r == -1) {
                throw new ErrnoException("unshare", state.get(JAVA_INT, ERRNO_OFFSET));
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @SuppressWarnings("restricted")
    private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor, ERRNO);
    }

    private Sys() {}
}
