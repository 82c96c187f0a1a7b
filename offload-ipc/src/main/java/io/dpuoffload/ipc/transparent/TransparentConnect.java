package io.dpuoffload.ipc.transparent;

import io.dpuoffload.intercept.CallerSocket;
import io.dpuoffload.intercept.ConnectCall;
import io.dpuoffload.intercept.ConnectHandler;
import io.dpuoffload.intercept.ConnectPath;
import io.dpuoffload.intercept.LocalListeners;
import io.dpuoffload.ipc.IpcNode;
import io.dpuoffload.ipc.config.PeerPaths;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.SocketName;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Services the connect() calls of an intercepted process tree (installed with offload-intercept's
 * {@code Interceptions.withConnect}). A connect to a socket under one of the {@link PeerPaths} is
 * made on the peer instead (through {@link IpcNode#connectToPeer}); the connected socket replaces
 * the caller's at the same descriptor number, with its flags, and the call returns 0, or the peer's
 * errno exactly. Every other connect continues in the kernel untouched.
 *
 * <p>Carried connects complete on the channel's event loop, so a slow peer holds up only its own
 * caller.
 */
public final class TransparentConnect implements ConnectHandler {
    private static final Logger log = LoggerFactory.getLogger(TransparentConnect.class);

    private final IpcNode node;
    private final PeerPaths paths;
    private final AtomicLong carried = new AtomicLong();
    private final AtomicLong passed = new AtomicLong();

    public TransparentConnect(IpcNode node, PeerPaths paths) {
        this.node = node;
        this.paths = paths;
    }

    /** Connects carried to the peer, and connects let through, so far. */
    public long carried() {
        return carried.get();
    }

    public long passedThrough() {
        return passed.get();
    }

    @Override
    public void connect(ConnectCall call) {
        Optional<ConnectPath> path = call.unixPath();
        Optional<String> peerPath = path.flatMap(p -> paths.peerPathOf(p.inOurView()));
        if (peerPath.isPresent() && LocalListeners.listensAt(path.get().asGiven())) {
            log.debug("connect by pid {} to {}: a socket here listens there; tried here first", call.pid(), path.get());
            connectHereOrOnPeer(call, path.get(), peerPath.get());
            return;
        }
        log.debug(
                "connect by pid {} to {}: {}",
                call.pid(),
                path.map(ConnectPath::toString).orElse("(no path)"),
                peerPath.map(p -> "the peer's " + p).orElse("local"));
        if (peerPath.isEmpty()) {
            passed.incrementAndGet();
            call.proceed();
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
    private void connectHereOrOnPeer(ConnectCall call, ConnectPath path, String peerPath) {
        Thread.ofPlatform().daemon().name("ipc-local-connect").start(() -> {
            int r;
            try {
                r = call.connectHere(path.inOurView());
            } catch (ErrnoException e) {
                call.fails(e.errno()); // EBADF, ENOTSOCK: what connect would say
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
            call.answer(r);
        });
    }

    private void carry(ConnectCall call, String peerPath) {
        CallerSocket socket;
        try {
            socket = call.callerSocket();
        } catch (ErrnoException e) {
            log.debug("connect {} for pid {}: its socket: {}", peerPath, call.pid(), e.getMessage());
            call.fails(e.errno()); // EBADF, ENOTSOCK: what connect itself would say
            return;
        }
        if (!socket.isConnectionOriented()) {
            log.warn(
                    "pid {} connects a datagram socket to the peer's {}: datagram sockets are not carried; "
                            + "answering EOPNOTSUPP",
                    call.pid(),
                    peerPath);
            call.fails(Errno.EOPNOTSUPP);
            return;
        }
        carried.incrementAndGet();
        node.connectToPeer(SocketName.path(peerPath), socket.type()).whenComplete((fd, failure) -> {
            if (failure != null) {
                int errno = failure instanceof ErrnoException e ? e.errno() : Errno.ECONNREFUSED;
                log.debug("connect {} for pid {}: {}", peerPath, call.pid(), Errno.name(errno));
                call.fails(errno);
                return;
            }
            try {
                call.connectedTo(fd, socket);
            } finally {
                FileCalls.closeQuietly(fd);
            }
        });
    }
}
