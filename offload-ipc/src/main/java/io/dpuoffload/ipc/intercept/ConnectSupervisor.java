package io.dpuoffload.ipc.intercept;

import io.dpuoffload.ipc.IpcNode;
import io.dpuoffload.ipc.config.PeerPaths;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Pidfds;
import io.dpuoffload.linux.Poll;
import io.dpuoffload.linux.Seccomp;
import io.dpuoffload.linux.SocketName;
import io.dpuoffload.linux.UnixSockets;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Services the connect() calls of an intercepted process tree. A connect to a socket under one of
 * the {@link PeerPaths} is made on the peer instead (through {@link IpcNode#connectToPeer}); the
 * connected socket replaces the caller's at the same descriptor number, with its flags, and the call
 * returns 0, or the peer's errno exactly. Every other connect continues in the kernel untouched.
 *
 * <p>One platform thread receives notifications; carried connects complete on the channel's event
 * loop, so a slow peer holds up only its own caller.
 */
public final class ConnectSupervisor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnectSupervisor.class);
    private static final int POLL_MILLIS = 200;

    private final int listener;
    private final IpcNode node;
    private final PeerPaths paths;
    private final Thread thread;
    private final AtomicLong carried = new AtomicLong();
    private final AtomicLong passed = new AtomicLong();
    private volatile boolean closed;

    private final SyscallHandler others;

    /** {@code node} null: connects all continue; {@code others} null: no other calls are intercepted. */
    ConnectSupervisor(int listener, IpcNode node, PeerPaths paths, SyscallHandler others) {
        this.others = others;
        this.listener = listener;
        this.node = node;
        this.paths = paths;
        if (!Seccomp.preferSynchronousWakeUp(listener)) {
            log.debug(
                    "this kernel has no synchronous wake-up for seccomp notifications (6.6+); intercepted calls wait a little longer");
        }
        this.thread =
                Thread.ofPlatform().name("ipc-connect-supervisor").daemon().start(this::serve);
    }

    /** Connects carried to the peer, and connects let through, so far. */
    public long carried() {
        return carried.get();
    }

    public long passedThrough() {
        return passed.get();
    }

    private void serve() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(Seccomp.receiveBufferSize(), 8);
            int[] fds = {listener};
            short[] events = {Poll.POLLIN};
            short[] ready = new short[1];
            while (!closed) {
                if (Poll.poll(fds, events, ready, POLL_MILLIS) == 0) {
                    continue;
                }
                if ((ready[0] & Poll.POLLIN) == 0) {
                    if ((ready[0] & (Poll.POLLHUP | Poll.POLLERR | Poll.POLLNVAL)) != 0) {
                        return; // every intercepted process has exited
                    }
                    continue;
                }
                Seccomp.Notification call = Seccomp.receive(listener, buffer);
                if (call != null) {
                    handle(call);
                }
            }
        } catch (ErrnoException e) {
            if (!closed) {
                log.error(
                        "the connect supervisor stopped: {}; intercepted connects now fail with ENOSYS",
                        e.getMessage());
            }
        } catch (RuntimeException e) {
            log.error("the connect supervisor failed; intercepted connects now fail with ENOSYS", e);
        }
    }

    private void handle(Seccomp.Notification call) {
        if (!call.isConnect() && others != null) {
            try {
                others.handle(call, listener);
            } catch (RuntimeException e) {
                log.warn(
                        "servicing system call {} of pid {} failed; it continues in the kernel",
                        call.syscall(),
                        call.pid(),
                        e);
                Seccomp.proceed(listener, call.id());
            }
            return;
        }
        Optional<String> peerPath = Optional.empty();
        if (call.isConnect() && node != null) {
            CallerAddress.UnixPath path = CallerAddress.unixPathOf(call.pid(), call.args()[1], call.args()[2]);
            peerPath = path == null ? Optional.empty() : paths.peerPathOf(path.inOurView());
            if (peerPath.isPresent() && LocalListeners.listensAt(path.asGiven())) {
                log.debug("connect by pid {} to {}: a socket here listens there; tried here first", call.pid(), path);
                connectHereOrOnPeer(call, path.inOurView(), peerPath.get());
                return;
            }
            log.debug(
                    "connect by pid {} to {}: {}",
                    call.pid(),
                    path,
                    peerPath.map(p -> "the peer's " + p).orElse("local"));
        }
        if (peerPath.isEmpty()) {
            passed.incrementAndGet();
            Seccomp.proceed(listener, call.id());
            return;
        }
        carry(call, peerPath.get());
    }

    /**
     * A socket on this side listens at a path of a shared directory: a listener passed to a program
     * on the peer (libvirtd's QEMU monitor listener) until the peer's own socket, bound at the same
     * path, takes over. The connect goes to ours, as the caller means it, while ours is there; once
     * it is gone, or the peer's bind has replaced the socket file (so that the path here now leads to
     * the peer's file, which nothing on this side listens on), it is refused here and carried to the
     * peer's instead. The kernel alone would answer that refusal to the caller (one VM start in a
     * few dozen failed so). Made on a thread of its own: a blocking connect waits for an accept.
     */
    private void connectHereOrOnPeer(Seccomp.Notification call, Path path, String peerPath) {
        Thread.ofPlatform().daemon().name("ipc-local-connect").start(() -> {
            int r;
            try {
                r = LocalConnect.onCallersSocket(call.pid(), (int) call.args()[0], path);
            } catch (ErrnoException e) {
                Seccomp.answer(listener, call.id(), 0, e.errno()); // EBADF, ENOTSOCK: what connect would say
                return;
            }
            if (r == -Errno.ECONNREFUSED || r == -Errno.ENOENT) {
                log.debug(
                        "connect by pid {} to {}: refused here ({}); carried to the peer's",
                        call.pid(),
                        path,
                        Errno.name(-r));
                carry(call, peerPath);
                return;
            }
            passed.incrementAndGet();
            Seccomp.answer(listener, call.id(), 0, -r);
        });
    }

    private void carry(Seccomp.Notification call, String peerPath) {
        int callerFd = (int) call.args()[0];
        CallerSocket socket;
        try {
            socket = CallerSocket.inspect(call.pid(), callerFd);
        } catch (ErrnoException e) {
            log.debug("connect {} for pid {}: its socket: {}", peerPath, call.pid(), e.getMessage());
            Seccomp.answer(listener, call.id(), 0, e.errno()); // EBADF, ENOTSOCK: what connect itself would say
            return;
        }
        if (socket.type() != UnixSockets.SOCK_STREAM && socket.type() != UnixSockets.SOCK_SEQPACKET) {
            log.warn(
                    "pid {} connects a datagram socket to the peer's {}: datagram sockets are not carried; "
                            + "answering EOPNOTSUPP",
                    call.pid(),
                    peerPath);
            Seccomp.answer(listener, call.id(), 0, Errno.EOPNOTSUPP);
            return;
        }
        carried.incrementAndGet();
        node.connectToPeer(SocketName.path(peerPath), socket.type()).whenComplete((fd, failure) -> {
            if (failure != null) {
                int errno = failure instanceof ErrnoException e ? e.errno() : Errno.ECONNREFUSED;
                log.debug("connect {} for pid {}: {}", peerPath, call.pid(), Errno.name(errno));
                Seccomp.answer(listener, call.id(), 0, errno);
                return;
            }
            try {
                install(call, fd, callerFd, socket);
            } finally {
                FileCalls.closeQuietly(fd);
            }
        });
    }

    private void install(Seccomp.Notification call, int fd, int callerFd, CallerSocket socket) {
        try {
            if (socket.nonBlocking()) {
                FileCalls.fcntl(fd, Flags.F_SETFL, Flags.O_NONBLOCK);
            }
        } catch (ErrnoException e) {
            Seccomp.answer(listener, call.id(), 0, e.errno());
            return;
        }
        if (!Seccomp.stillWaiting(listener, call.id())) {
            return; // the caller was killed meanwhile; the socket is simply closed
        }
        int r = Seccomp.installFd(listener, call.id(), fd, callerFd, socket.closeOnExec());
        if (r < 0) {
            log.warn("cannot install the connected socket in pid {}: {}", call.pid(), Errno.name(-r));
            Seccomp.answer(listener, call.id(), 0, -r == Errno.ENOENT ? Errno.EINTR : -r);
            return;
        }
        Seccomp.answer(listener, call.id(), 0, 0);
    }

    /** What the caller's descriptor is: its socket type and the flags the replacement must keep. */
    private record CallerSocket(int type, boolean nonBlocking, boolean closeOnExec) {
        static CallerSocket inspect(int pid, int fd) throws ErrnoException {
            int pidfd = Pidfds.open(pid);
            int copy;
            try {
                copy = Pidfds.copyFd(pidfd, fd);
            } finally {
                FileCalls.closeQuietly(pidfd);
            }
            try {
                int type = UnixSockets.type(copy);
                int statusFlags = FileCalls.fcntl(copy, Flags.F_GETFL, 0);
                return new CallerSocket(type, (statusFlags & Flags.O_NONBLOCK) != 0, closeOnExec(pid, fd));
            } finally {
                FileCalls.closeQuietly(copy);
            }
        }

        /** FD_CLOEXEC is the descriptor's, not the file's: /proc shows it as O_CLOEXEC in fdinfo's flags. */
        private static boolean closeOnExec(int pid, int fd) {
            try {
                for (String line :
                        Files.readAllLines(Path.of("/proc", Integer.toString(pid), "fdinfo", Integer.toString(fd)))) {
                    if (line.startsWith("flags:")) {
                        return (Integer.parseInt(line.substring(6).trim(), 8) & Flags.O_CLOEXEC) != 0;
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // the caller is gone or the format changed: default below
            }
            return false;
        }
    }

    /** Stops servicing: connects still intercepted afterwards fail with ENOSYS (the kernel's answer). */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join(POLL_MILLIS * 5L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        FileCalls.closeQuietly(listener);
    }
}
