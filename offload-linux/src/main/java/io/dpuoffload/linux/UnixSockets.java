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
 * AF_UNIX sockets, non-blocking, as a relay needs them: SOCK_STREAM and SOCK_SEQPACKET, path and
 * abstract names, connect with the kernel's own errno, and send/recv that report EAGAIN as a value
 * rather than an exception (a relay meets it on every drained socket).
 *
 * <p>The calls that move data return the byte count, or {@code -errno}; the others throw {@link
 * ErrnoException}. Socket numbers are the same on x86_64 and aarch64.
 */
public final class UnixSockets {
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_SEQPACKET = 5;

    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;

    /** recv: report a datagram's or record's real length even when it did not fit the buffer. */
    public static final int MSG_TRUNC = 0x20;

    static final int AF_UNIX = 1;
    static final int SOCK_NONBLOCK = 04000;
    static final int SOCK_CLOEXEC = 02000000;
    static final int MSG_NOSIGNAL = 0x4000;
    /** Non-blocking for this call only: a relay may hold a descriptor whose file another process shares. */
    public static final int MSG_DONTWAIT = 0x40;

    static final int SOL_SOCKET = 1;
    static final int SO_TYPE = 3;

    /** sizeof(struct sockaddr_un): sun_family and 108 bytes of sun_path. */
    static final int SOCKADDR_UN_SIZE = 110;

    /** The longest path sun_path holds with its terminating NUL; an abstract name may use all 107 after the 0. */
    public static final int MAX_PATH_BYTES = 107;

    private static final MethodHandle SOCKET =
            Libc.function("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SOCKETPAIR =
            Libc.function("socketpair", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle CONNECT =
            Libc.function("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle BIND =
            Libc.function("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKNAME =
            Libc.function("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle LISTEN =
            Libc.function("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT4 =
            Libc.function("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle RECV =
            Libc.function("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SEND =
            Libc.function("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SHUTDOWN =
            Libc.function("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = Libc.function(
            "getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

    private static final MethodHandle RECVMSG =
            Libc.function("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SENDMSG =
            Libc.function("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));

    /** The most descriptors one message may carry (the kernel's SCM_MAX_FD). */
    public static final int MAX_FDS = 253;

    static final int SCM_RIGHTS = 1;
    static final int MSG_CTRUNC = 0x8;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int MSGHDR_SIZE = 56;
    private static final int CMSG_HEADER = 16;

    private UnixSockets() {}

    /** Descriptors that came with a message (SCM_RIGHTS), close-on-exec, and whether some did not fit. */
    public static final class ReceivedFds {
        public final int[] fds = new int[MAX_FDS];
        public int count;
        public boolean truncated;

        public int[] take() {
            int[] taken = java.util.Arrays.copyOf(fds, count);
            count = 0;
            truncated = false;
            return taken;
        }
    }

    /**
     * recvmsg(2) with room for {@link #MAX_FDS} passed descriptors, which land in {@code received}
     * (the caller owns them). Returns the byte count (0 at end) or {@code -errno}.
     */
    public static long recvWithFds(int fd, MemorySegment buffer, long length, int flags, ReceivedFds received) {
        received.count = 0;
        received.truncated = false;
        try (Scratch s = Scratch.acquire()) {
            long controlSize = CMSG_HEADER + 4L * MAX_FDS + 4;
            MemorySegment control = s.allocate(controlSize, 8);
            MemorySegment msg = message(s, buffer, length, control, controlSize);
            long r = Downcalls.orErrno(s, e -> (long) RECVMSG.invokeExact(e, fd, msg, flags | MSG_CMSG_CLOEXEC));
            if (r < 0) {
                return r;
            }
            long used = msg.get(JAVA_LONG, 40);
            received.truncated = (msg.get(JAVA_INT, 48) & MSG_CTRUNC) != 0;
            for (long at = 0; at + CMSG_HEADER <= used; ) {
                long cmsgLength = control.get(JAVA_LONG, at);
                if (cmsgLength < CMSG_HEADER || at + cmsgLength > used) {
                    break;
                }
                if (control.get(JAVA_INT, at + 8) == SOL_SOCKET && control.get(JAVA_INT, at + 12) == SCM_RIGHTS) {
                    for (long i = 0; i < (cmsgLength - CMSG_HEADER) / 4 && received.count < MAX_FDS; i++) {
                        received.fds[received.count++] = control.get(JAVA_INT, at + CMSG_HEADER + 4 * i);
                    }
                }
                at += (cmsgLength + 7) & -8;
            }
            return r;
        }
    }

    /** sendmsg(2) of {@code length} bytes with {@code fds} passed along (SCM_RIGHTS), without SIGPIPE; count or -errno. */
    public static long sendWithFds(int fd, MemorySegment buffer, long length, int[] fds) {
        try (Scratch s = Scratch.acquire()) {
            long controlSize = CMSG_HEADER + ((4L * fds.length + 7) & -8);
            MemorySegment control = s.allocate(controlSize, 8);
            control.fill((byte) 0);
            control.set(JAVA_LONG, 0, CMSG_HEADER + 4L * fds.length);
            control.set(JAVA_INT, 8, SOL_SOCKET);
            control.set(JAVA_INT, 12, SCM_RIGHTS);
            for (int i = 0; i < fds.length; i++) {
                control.set(JAVA_INT, CMSG_HEADER + 4L * i, fds[i]);
            }
            MemorySegment msg = message(s, buffer, length, control, controlSize);
            return Downcalls.orErrno(s, e -> (long) SENDMSG.invokeExact(e, fd, msg, MSG_NOSIGNAL | MSG_DONTWAIT));
        }
    }

    /** A new non-blocking, close-on-exec AF_UNIX socket of {@code type}. */
    public static int socket(int type) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            return (int) Downcalls.once(s, "socket(AF_UNIX)", e ->
                    (int) SOCKET.invokeExact(e, AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        }
    }

    /**
     * socketpair(2): two connected, non-blocking, close-on-exec sockets of {@code type}. {@code
     * blockingSecond} leaves the second blocking, for the end a program gets as its own socket.
     */
    public static int[] socketpair(int type, boolean blockingSecond) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment fds = s.allocate(8, 4);
            Downcalls.once(s, "socketpair(AF_UNIX)", e ->
                    (int) SOCKETPAIR.invokeExact(e, AF_UNIX, type | SOCK_CLOEXEC, 0, fds));
            int first = fds.get(JAVA_INT, 0);
            int second = fds.get(JAVA_INT, 4);
            FileCalls.fcntl(first, Flags.F_SETFL, FileCalls.fcntl(first, Flags.F_GETFL, 0) | Flags.O_NONBLOCK);
            if (!blockingSecond) {
                FileCalls.fcntl(second, Flags.F_SETFL, FileCalls.fcntl(second, Flags.F_GETFL, 0) | Flags.O_NONBLOCK);
            }
            return new int[] {first, second};
        }
    }

    /**
     * connect(2) to {@code name}; 0, or {@code -errno} exactly as the kernel answered (ENOENT: no such
     * socket, ECONNREFUSED: nobody listens, EAGAIN: the listener's backlog is full).
     */
    public static int connect(int fd, SocketName name) {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment address = address(s, name);
            return (int) Downcalls.orErrno(s, e -> (int) CONNECT.invokeExact(e, fd, address, name.addressLength()));
        }
    }

    /** bind(2) alone: a datagram socket at {@code name}. */
    public static void bind(int fd, SocketName name) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            bind(s, fd, name);
        }
    }

    /** bind(2) and listen(2): a listening socket at {@code name}. */
    public static void listen(int fd, SocketName name, int backlog) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            bind(s, fd, name);
            Downcalls.once(s, "listen " + name, e -> (int) LISTEN.invokeExact(e, fd, backlog));
        }
    }

    /**
     * The path {@code fd} is bound to, as its binder named it (relative to the binder's root), or
     * empty when it is unbound or has an abstract name.
     */
    public static java.util.Optional<String> boundPath(int fd) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment address = s.allocate(SOCKADDR_UN_SIZE, 8);
            MemorySegment length = s.allocate(4, 4);
            length.set(JAVA_INT, 0, SOCKADDR_UN_SIZE);
            Downcalls.once(s, "getsockname", e -> (int) GETSOCKNAME.invokeExact(e, fd, address, length));
            int pathBytes = Math.min(length.get(JAVA_INT, 0), SOCKADDR_UN_SIZE) - 2;
            if (pathBytes <= 0 || address.get(JAVA_BYTE, 2) == 0) {
                return java.util.Optional.empty();
            }
            byte[] path = address.asSlice(2, pathBytes).toArray(JAVA_BYTE);
            int end = 0;
            while (end < path.length && path[end] != 0) {
                end++;
            }
            return java.util.Optional.of(new String(path, 0, end, java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** accept4(2) of a non-blocking, close-on-exec connection; its fd, or {@code -errno} (EAGAIN: none waiting). */
    public static int accept(int fd) {
        try (Scratch s = Scratch.acquire()) {
            return (int) Downcalls.orErrno(s, e -> (int)
                    ACCEPT4.invokeExact(e, fd, MemorySegment.NULL, MemorySegment.NULL, SOCK_NONBLOCK | SOCK_CLOEXEC));
        }
    }

    /** recv(2) into the first {@code length} bytes of {@code buffer}: the count (0 at end), or {@code -errno}. */
    public static long recv(int fd, MemorySegment buffer, long length, int flags) {
        try (Scratch s = Scratch.acquire()) {
            return Downcalls.orErrno(s, e -> (long) RECV.invokeExact(e, fd, buffer, length, flags));
        }
    }

    /** send(2) without SIGPIPE: the count sent, or {@code -errno} (EAGAIN: the peer's buffer is full; EPIPE). */
    public static long send(int fd, MemorySegment buffer, long length) {
        try (Scratch s = Scratch.acquire()) {
            return Downcalls.orErrno(
                    s, e -> (long) SEND.invokeExact(e, fd, buffer, length, MSG_NOSIGNAL | MSG_DONTWAIT));
        }
    }

    /** shutdown(2); ENOTCONN (the peer is gone already) is not an error here. */
    public static void shutdown(int fd, int how) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            try {
                Downcalls.once(s, "shutdown", e -> (int) SHUTDOWN.invokeExact(e, fd, how));
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ENOTCONN) {
                    throw e;
                }
            }
        }
    }

    /** SO_TYPE: SOCK_STREAM, SOCK_SEQPACKET or SOCK_DGRAM. */
    public static int type(int fd) throws ErrnoException {
        return intOption(fd, SO_TYPE, "getsockopt(SO_TYPE)");
    }

    /** SO_ACCEPTCONN: whether the socket is listening. */
    public static boolean isListening(int fd) throws ErrnoException {
        return intOption(fd, SO_ACCEPTCONN, "getsockopt(SO_ACCEPTCONN)") != 0;
    }

    static final int SO_ACCEPTCONN = 30;
    static final int SO_PEERCRED = 17;

    /**
     * SO_PEERCRED: the pid of the process that connected (as our pid namespace sees it), so a
     * server can reach into it with {@link Pidfds}. 0 when it lives in a namespace we cannot see.
     */
    public static int peerPid(int fd) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment credentials = s.allocate(12, 4); // struct ucred { pid, uid, gid }
            MemorySegment length = s.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, 12);
            Downcalls.once(s, "getsockopt(SO_PEERCRED)", e ->
                    (int) GETSOCKOPT.invokeExact(e, fd, SOL_SOCKET, SO_PEERCRED, credentials, length));
            return credentials.get(JAVA_INT, 0);
        }
    }

    private static int intOption(int fd, int option, String call) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment value = s.allocate(JAVA_INT);
            MemorySegment length = s.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, 4);
            Downcalls.once(s, call, e -> (int) GETSOCKOPT.invokeExact(e, fd, SOL_SOCKET, option, value, length));
            return value.get(JAVA_INT, 0);
        }
    }

    private static void bind(Scratch s, int fd, SocketName name) throws ErrnoException {
        MemorySegment address = address(s, name);
        Downcalls.once(s, "bind " + name, e -> (int) BIND.invokeExact(e, fd, address, name.addressLength()));
    }

    /** A struct msghdr of one iovec ({@code length} bytes of {@code buffer}) and the control buffer. */
    private static MemorySegment message(
            Scratch s, MemorySegment buffer, long length, MemorySegment control, long controlSize) {
        MemorySegment iov = s.allocate(16, 8);
        iov.set(ADDRESS, 0, buffer);
        iov.set(JAVA_LONG, 8, length);
        MemorySegment msg = s.allocate(MSGHDR_SIZE, 8);
        msg.fill((byte) 0);
        msg.set(ADDRESS, 16, iov);
        msg.set(JAVA_LONG, 24, 1);
        msg.set(ADDRESS, 32, control);
        msg.set(JAVA_LONG, 40, controlSize);
        return msg;
    }

    private static MemorySegment address(Scratch s, SocketName name) {
        MemorySegment address = s.allocate(SOCKADDR_UN_SIZE, 2);
        address.fill((byte) 0);
        address.set(JAVA_SHORT, 0, (short) AF_UNIX);
        byte[] bytes = name.bytes();
        int start = name.isAbstract() ? 3 : 2; // an abstract name starts after a NUL
        MemorySegment.copy(bytes, 0, address, JAVA_BYTE, start, bytes.length);
        return address;
    }
}
