package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Reaching into another process by its pid: a pidfd, a copy of one of its descriptors, and reads of
 * its memory. What a seccomp supervisor needs to see an intercepted call's arguments (Linux 5.6+).
 */
public final class Pidfds {
    private static final long SYS_PIDFD_OPEN = 434;
    private static final long SYS_PIDFD_GETFD = 438;

    private static final MethodHandle PIDFD_OPEN = Libc.syscall(JAVA_LONG, JAVA_LONG);
    private static final MethodHandle PIDFD_GETFD = Libc.syscall(JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle PROCESS_VM_WRITEV = Libc.function(
            "process_vm_writev",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle PROCESS_VM_READV = Libc.function(
            "process_vm_readv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG));

    private Pidfds() {}

    /**
     * pidfd_open(2): a descriptor for process {@code pid} (close-on-exec). A thread id names its
     * process: a seccomp notification reports the calling thread, and a multithreaded daemon
     * (libvirtd) makes its calls from worker threads, which pidfd_open refuses (EINVAL; ENOENT
     * on recent kernels).
     */
    public static int open(int pid) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            long r = (long) PIDFD_OPEN.invokeExact(s.errnoState(), SYS_PIDFD_OPEN, (long) pid, 0L);
            if (r < 0 && (s.errno() == Errno.EINVAL || s.errno() == Errno.ENOENT)) {
                int process = processOf(pid);
                if (process > 0 && process != pid) {
                    r = (long) PIDFD_OPEN.invokeExact(s.errnoState(), SYS_PIDFD_OPEN, (long) process, 0L);
                }
            }
            if (r < 0) {
                throw new ErrnoException("pidfd_open(" + pid + ")", s.errno());
            }
            return (int) r;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** The process (thread group) of thread {@code tid}, from /proc; -1 when it is gone. */
    public static int processOf(int tid) {
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc", Integer.toString(tid), "status"))) {
            return lines.filter(line -> line.startsWith("Tgid:"))
                    .mapToInt(line -> Integer.parseInt(line.substring(5).strip()))
                    .findFirst()
                    .orElse(-1);
        } catch (java.io.IOException | java.io.UncheckedIOException | NumberFormatException e) {
            return -1;
        }
    }

    /** pidfd_getfd(2): our own copy (close-on-exec) of the process's descriptor {@code fd}. */
    public static int copyFd(int pidfd, int fd) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            long r = (long) PIDFD_GETFD.invokeExact(s.errnoState(), SYS_PIDFD_GETFD, (long) pidfd, (long) fd, 0L);
            if (r < 0) {
                throw new ErrnoException("pidfd_getfd(" + fd + ")", s.errno());
            }
            return (int) r;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** Our own copy (close-on-exec) of process {@code pid}'s descriptor {@code fd}, through a pidfd opened for it. */
    public static int copyFdOfProcess(int pid, int fd) throws ErrnoException {
        int pidfd = open(pid);
        try {
            return copyFd(pidfd, fd);
        } finally {
            FileCalls.closeQuietly(pidfd);
        }
    }

    /** Copies {@code length} bytes at {@code address} in process {@code pid}; fewer if the range ends early. */
    public static byte[] readMemory(int pid, long address, int length) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment target = s.allocate(Math.max(length, 1), 8);
            MemorySegment local = s.allocate(16, 8);
            local.set(ADDRESS, 0, target);
            local.set(JAVA_LONG, 8, length);
            MemorySegment remote = s.allocate(16, 8);
            remote.set(JAVA_LONG, 0, address);
            remote.set(JAVA_LONG, 8, length);
            long n = (long) PROCESS_VM_READV.invokeExact(s.errnoState(), pid, local, 1L, remote, 1L, 0L);
            if (n < 0) {
                throw new ErrnoException("process_vm_readv(" + pid + ")", s.errno());
            }
            return target.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** Writes {@code bytes} at {@code address} in process {@code pid} (an intercepted call's out-argument). */
    public static void writeMemory(int pid, long address, byte[] bytes) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment source = s.allocate(Math.max(bytes.length, 1), 8);
            MemorySegment.copy(bytes, 0, source, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
            MemorySegment local = s.allocate(16, 8);
            local.set(ADDRESS, 0, source);
            local.set(JAVA_LONG, 8, bytes.length);
            MemorySegment remote = s.allocate(16, 8);
            remote.set(JAVA_LONG, 0, address);
            remote.set(JAVA_LONG, 8, bytes.length);
            long n = (long) PROCESS_VM_WRITEV.invokeExact(s.errnoState(), pid, local, 1L, remote, 1L, 0L);
            if (n != bytes.length) {
                throw new ErrnoException("process_vm_writev(" + pid + ")", n < 0 ? s.errno() : Errno.EFAULT);
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }
}
