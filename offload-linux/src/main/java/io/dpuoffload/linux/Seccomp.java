package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * seccomp user notification: a filter that hands chosen system calls of a process tree to a
 * supervisor, and the supervisor's side of the listener (receive, answer, install a descriptor in
 * the caller). Relied on: Linux 5.9 or newer (the listener 5.0, CONTINUE 5.5, ADDFD 5.9).
 *
 * <p>Every call here is for one notification at a time; the listener descriptor may be used from
 * several threads at once (the kernel serialises them).
 */
public final class Seccomp {
    private static final long SYS_SECCOMP = Arch.isAarch64() ? 277 : 317;
    private static final int SECCOMP_SET_MODE_FILTER = 1;
    private static final int SECCOMP_GET_ACTION_AVAIL = 2;
    private static final long SECCOMP_FILTER_FLAG_NEW_LISTENER = 1L << 3;
    /**
     * Once the supervisor has received a call, only a fatal signal ends the caller's wait (Linux
     * 5.19). Without it, any signal did: Go's runtime preempts goroutines with SIGURG every 10 ms,
     * the interrupted connect was restarted and handed over again, and the supervisor, which had
     * already connected on the host, connected a second time.
     */
    private static final long SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV = 1L << 5;

    private static final int SECCOMP_RET_USER_NOTIF = 0x7fc00000;
    private static final int SECCOMP_RET_ALLOW = 0x7fff0000;
    private static final int SECCOMP_USER_NOTIF_FLAG_CONTINUE = 1;
    private static final int SECCOMP_ADDFD_FLAG_SETFD = 1;
    private static final int PR_SET_NO_NEW_PRIVS = 38;

    private static final long NOTIF_RECV = 0xC0502100L;
    private static final long NOTIF_SEND = 0xC0182101L;
    private static final long NOTIF_ADDFD = 0x40182103L;
    private static final long NOTIF_SET_FLAGS = 0x40082104L;
    private static final long SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP = 1;

    /** sizeof(struct seccomp_notif), (struct seccomp_notif_resp), (struct seccomp_notif_addfd). */
    private static final int NOTIF_SIZE = 80;

    private static final int RESP_SIZE = 24;
    private static final int ADDFD_SIZE = 24;

    private static final int AUDIT_ARCH = Arch.isAarch64() ? 0xC00000B7 : 0xC000003E;
    public static final int NR_CONNECT = Arch.isAarch64() ? 203 : 42;
    public static final int NR_KILL = Arch.isAarch64() ? 129 : 62;
    public static final int NR_TGKILL = Arch.isAarch64() ? 131 : 234;
    public static final int NR_SCHED_SETAFFINITY = Arch.isAarch64() ? 122 : 203;
    public static final int NR_SCHED_GETAFFINITY = Arch.isAarch64() ? 123 : 204;

    private static final MethodHandle SECCOMP = Libc.syscall(JAVA_LONG, JAVA_LONG, ADDRESS);
    private static final MethodHandle PRCTL = Libc.variadic(
            "prctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), 1);
    private static final MethodHandle IOCTL =
            Libc.variadic("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), 2);

    private Seccomp() {}

    /** One intercepted call: its id (for the answer), the caller's pid, the syscall and its arguments. */
    public record Notification(long id, int pid, int syscall, long[] args) {
        public boolean isConnect() {
            return syscall == NR_CONNECT;
        }
    }

    /**
     * Says what the running kernel lacks for user notification, or null when it has it all. Checks
     * the action (so the kernel has the listener) and the version (ADDFD, which cannot be probed
     * without a notification).
     */
    public static String missingSupport() {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment action = s.allocate(4, 4);
            action.set(JAVA_INT, 0, SECCOMP_RET_USER_NOTIF);
            long r = (long)
                    SECCOMP.invokeExact(s.errnoState(), SYS_SECCOMP, (long) SECCOMP_GET_ACTION_AVAIL, 0L, action);
            if (r != 0) {
                return "this kernel has no seccomp user notification (" + Errno.name(s.errno())
                        + "); it needs Linux 5.9 or newer built with CONFIG_SECCOMP_FILTER";
            }
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
        String release = System.getProperty("os.version", "");
        if (!atLeast(release, 5, 9)) {
            return "Linux " + release
                    + " cannot install a descriptor in an intercepted process (SECCOMP_IOCTL_NOTIF_ADDFD); "
                    + "it needs Linux 5.9 or newer";
        }
        return null;
    }

    static boolean atLeast(String release, int major, int minor) {
        String[] parts = release.split("[^0-9]+");
        try {
            int have = Integer.parseInt(parts[0]);
            int haveMinor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return have > major || (have == major && haveMinor >= minor);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return false;
        }
    }

    /**
     * Installs, on the calling thread only, a filter that hands every {@code connect(2)} to a
     * supervisor, and returns the listener descriptor. Whatever the thread starts afterwards
     * inherits the filter. Without CAP_SYS_ADMIN the thread is first made no_new_privs (which its
     * children inherit: set-user-ID programs then gain nothing).
     */
    public static int interceptConnect() throws ErrnoException {
        return intercept(NR_CONNECT);
    }

    /** As {@link #interceptConnect()}, for the system calls {@code syscalls} (this architecture's numbers). */
    public static int intercept(int... syscalls) throws ErrnoException {
        return intercept(true, syscalls);
    }

    /**
     * As {@link #intercept(int...)}; {@code killableWait} false leaves out WAIT_KILLABLE_RECV, as
     * kernels before 5.19 must (to test that path on a newer one).
     */
    public static int intercept(boolean killableWait, int... syscalls) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment program = program(s, syscalls);
            MemorySegment fprog = s.allocate(16, 8);
            fprog.set(JAVA_SHORT, 0, (short) (program.byteSize() / 8));
            fprog.set(ADDRESS, 8, program);
            long fd = install(s, fprog, killableWait);
            if (fd == -Errno.EACCES) {
                int r = (int) PRCTL.invokeExact(s.errnoState(), PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L);
                if (r != 0) {
                    throw new ErrnoException("prctl(PR_SET_NO_NEW_PRIVS)", s.errno());
                }
                fd = install(s, fprog, killableWait);
            }
            if (fd < 0) {
                throw new ErrnoException("seccomp(SET_MODE_FILTER, NEW_LISTENER)", (int) -fd);
            }
            return (int) fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /** Installs the filter, with WAIT_KILLABLE_RECV where wanted and the kernel knows it (EINVAL before 5.19). */
    private static long install(Scratch s, MemorySegment fprog, boolean killableWait) throws Throwable {
        if (!killableWait) {
            return install(s, fprog, SECCOMP_FILTER_FLAG_NEW_LISTENER);
        }
        long r = install(s, fprog, SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
        return r == -Errno.EINVAL ? install(s, fprog, SECCOMP_FILTER_FLAG_NEW_LISTENER) : r;
    }

    private static long install(Scratch s, MemorySegment fprog, long flags) throws Throwable {
        long r = (long) SECCOMP.invokeExact(s.errnoState(), SYS_SECCOMP, (long) SECCOMP_SET_MODE_FILTER, flags, fprog);
        return r < 0 ? -s.errno() : r;
    }

    /** Classic BPF: on this architecture, each of {@code syscalls} → USER_NOTIF; everything else → ALLOW. */
    private static MemorySegment program(Scratch s, int[] syscalls) {
        int n = syscalls.length;
        int[][] code = new int[6 + n][];
        code[0] = new int[] {0x20, 0, 0, 4}; // ld seccomp_data.arch
        code[1] = new int[] {0x15, 1, 0, AUDIT_ARCH}; // jeq our arch: skip the allow
        code[2] = new int[] {0x06, 0, 0, SECCOMP_RET_ALLOW};
        code[3] = new int[] {0x20, 0, 0, 0}; // ld seccomp_data.nr
        for (int i = 0; i < n; i++) {
            code[4 + i] = new int[] {0x15, n - i, 0, syscalls[i]}; // jeq: jump to the notify below
        }
        code[4 + n] = new int[] {0x06, 0, 0, SECCOMP_RET_ALLOW};
        code[5 + n] = new int[] {0x06, 0, 0, SECCOMP_RET_USER_NOTIF};
        MemorySegment program = s.allocate(8L * code.length, 8);
        for (int i = 0; i < code.length; i++) {
            long at = 8L * i;
            program.set(JAVA_SHORT, at, (short) code[i][0]);
            program.set(JAVA_BYTE, at + 2, (byte) code[i][1]);
            program.set(JAVA_BYTE, at + 3, (byte) code[i][2]);
            program.set(JAVA_INT, at + 4, code[i][3]);
        }
        return program;
    }

    /**
     * Waits for the next notification. Returns null when the caller went away before it could be
     * read (ENOENT) or the wait was interrupted (EINTR); throws when the listener is unusable.
     */
    public static Notification receive(int listener, MemorySegment buffer) throws ErrnoException {
        buffer.asSlice(0, NOTIF_SIZE).fill((byte) 0); // the kernel insists on a zeroed request
        int r = ioctl(listener, NOTIF_RECV, buffer);
        if (r == -Errno.ENOENT || r == -Errno.EINTR) {
            return null;
        }
        if (r < 0) {
            throw new ErrnoException("ioctl(SECCOMP_IOCTL_NOTIF_RECV)", -r);
        }
        long[] args = new long[6];
        for (int i = 0; i < 6; i++) {
            args[i] = buffer.get(JAVA_LONG, 32 + 8L * i);
        }
        return new Notification(buffer.get(JAVA_LONG, 0), buffer.get(JAVA_INT, 8), buffer.get(JAVA_INT, 16), args);
    }

    /**
     * Asks the kernel (6.6+) to hand the CPU straight to the supervisor when a call is intercepted,
     * rather than waking it up like any other thread: the caller waits for the answer anyway, so
     * this saves a scheduler round trip per call. Returns false where the kernel lacks it (harmless).
     */
    public static boolean preferSynchronousWakeUp(int listener) {
        return ioctl(listener, NOTIF_SET_FLAGS, MemorySegment.ofAddress(SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP)) == 0;
    }

    /** A buffer fit for {@link #receive}, to be reused by one thread. */
    public static int receiveBufferSize() {
        return NOTIF_SIZE;
    }

    /** Lets the caller's system call run as if never intercepted. */
    public static int proceed(int listener, long id) {
        return send(listener, id, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
    }

    /** Ends the call with {@code value} (an errno of 0) or fails it with {@code errno}. */
    public static int answer(int listener, long id, long value, int errno) {
        return send(listener, id, value, errno == 0 ? 0 : -errno, 0);
    }

    /**
     * Puts a duplicate of our {@code fd} in the caller at number {@code targetFd}, replacing what
     * was there (as dup2 would). {@code closeOnExec} sets its FD_CLOEXEC. Returns 0 or -errno.
     */
    public static int installFd(int listener, long id, int fd, int targetFd, boolean closeOnExec) {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment addfd = s.allocate(ADDFD_SIZE, 8);
            addfd.set(JAVA_LONG, 0, id);
            addfd.set(JAVA_INT, 8, SECCOMP_ADDFD_FLAG_SETFD);
            addfd.set(JAVA_INT, 12, fd);
            addfd.set(JAVA_INT, 16, targetFd);
            addfd.set(JAVA_INT, 20, closeOnExec ? Flags.O_CLOEXEC : 0);
            int r = ioctl(s, listener, NOTIF_ADDFD, addfd);
            return r < 0 ? r : 0;
        }
    }

    private static int send(int listener, long id, long value, int error, int flags) {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment response = s.allocate(RESP_SIZE, 8);
            response.set(JAVA_LONG, 0, id);
            response.set(JAVA_LONG, 8, value);
            response.set(JAVA_INT, 16, error);
            response.set(JAVA_INT, 20, flags);
            return ioctl(s, listener, NOTIF_SEND, response);
        }
    }

    private static int ioctl(int fd, long request, MemorySegment argument) {
        try (Scratch s = Scratch.acquire()) {
            return ioctl(s, fd, request, argument);
        }
    }

    private static int ioctl(Scratch s, int fd, long request, MemorySegment argument) {
        try {
            int r = (int) IOCTL.invokeExact(s.errnoState(), fd, request, argument);
            return r < 0 ? -s.errno() : r;
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }
}
