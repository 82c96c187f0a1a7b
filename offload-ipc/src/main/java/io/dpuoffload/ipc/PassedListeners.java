package io.dpuoffload.ipc;

import io.dpuoffload.ipc.relay.FdPassing;
import io.dpuoffload.ipc.relay.LocalEnd;
import io.dpuoffload.ipc.relay.SocketRelay;
import io.dpuoffload.ipc.wire.IpcWire;
import io.dpuoffload.ipc.wire.PassedFds;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.PathCalls;
import io.dpuoffload.linux.Poll;
import io.dpuoffload.linux.SocketName;
import io.dpuoffload.linux.Stat;
import io.dpuoffload.linux.UnixSockets;
import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.TransportException;
import io.dpuoffload.transport.mux.ByteStream;
import io.netty.buffer.ByteBufAllocator;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listening sockets passed across (libvirt creates QEMU's monitor listener and passes it; QEMU
 * accepts). The sender keeps accepting on its copy and sends each connection as a stream of the
 * listener's token; the receiver made a listening socket of its own and connects each arriving
 * stream to it, so the program accepts as usual. The receiver's socket has an abstract name (nothing
 * is left on disk), or, when the sender's is bound in a directory both sides share, the same path
 * on the receiver's side: there it is found by path without the sender, whose copy is then closed
 * once the connections already queued on it are carried ({@link #drainAndStop}).
 */
final class PassedListeners {
    private static final Logger log = LoggerFactory.getLogger(PassedListeners.class);
    private static final int BACKLOG = 64;
    /** How often an accept loop looks whether it was told to stop. */
    private static final int STOP_CHECK_MILLIS = 500;

    private final int service;
    private final Supplier<OffloadConnection> connection;
    private final Runnable relayOpened;
    private final Runnable relayClosed;
    private final FdPassing fds;
    /** Receiving side: token → the abstract name of the listener we made for it. */
    private final Map<Long, Target> targets = new ConcurrentHashMap<>();
    /** Sending side: token → its accept loop. */
    private final Map<Long, Thread> acceptors = new ConcurrentHashMap<>();
    /** Sending side: accept loops told to carry what is queued and then close. */
    private final java.util.Set<Long> draining = ConcurrentHashMap.newKeySet();

    private record Target(SocketName name, int type, String description) {}

    /**
     * Set in every listener's token (and in no other): the receiver knows a listener's connection
     * from its stream alone, even one that arrives before the request that passed the listener.
     */
    static final long LISTENER_TOKEN = Long.MIN_VALUE;

    /** Connections that arrived before their listener was made here; a few are plenty. */
    private static final int MAX_EARLY = 64;

    private final Map<Long, java.util.List<ByteStream>> early = new java.util.HashMap<>();

    PassedListeners(
            int service,
            Supplier<OffloadConnection> connection,
            Runnable relayOpened,
            Runnable relayClosed,
            FdPassing fds) {
        this.fds = fds;
        this.service = service;
        this.connection = connection;
        this.relayOpened = relayOpened;
        this.relayClosed = relayClosed;
    }

    /** Sending side: accepts on {@code fd} (ours now) until {@link #stop} or the connection is gone. */
    void startAccepting(int fd, int type, long token, String description) {
        Thread acceptor = Thread.ofPlatform()
                .daemon()
                .name("passed-listener-" + token)
                .unstarted(() -> acceptLoop(fd, type, token, description));
        acceptors.put(token, acceptor);
        acceptor.start();
    }

    /** Stops accepting for {@code token} (the program that listened has ended). */
    void stop(long token) {
        Thread acceptor = acceptors.remove(token);
        if (acceptor != null) {
            acceptor.interrupt();
        }
    }

    /**
     * Sending side: carries the connections queued on {@code token}'s listener, then closes our copy
     * (the receiver's socket is bound at the listener's path, where new connections find it).
     */
    void drainAndStop(long token) {
        if (acceptors.containsKey(token)) {
            draining.add(token); // the accept loop looks at each round
        }
    }

    private void acceptLoop(int fd, int type, long token, String description) {
        try {
            while (!Thread.currentThread().isInterrupted() && acceptors.containsKey(token)) {
                boolean drain = draining.contains(token);
                if (Poll.poll(fd, Poll.POLLIN, drain ? 0 : STOP_CHECK_MILLIS) == 0) {
                    if (drain) {
                        log.debug("{}: queued connections carried; the receiver's socket takes the rest", description);
                        return;
                    }
                    continue;
                }
                int accepted = UnixSockets.accept(fd);
                if (accepted == -Errno.EAGAIN) {
                    continue;
                }
                if (accepted < 0) {
                    log.warn("{}: accept failed: {}; no longer carried", description, Errno.name(-accepted));
                    return;
                }
                OffloadConnection live = connection.get();
                if (live == null || !live.isOpen()) {
                    FileCalls.closeQuietly(accepted);
                    log.warn("{}: a connection arrived but the peer is not connected; refused", description);
                    continue;
                }
                ByteStream stream = live.openStream(service, IpcWire.passedFdHeader(ByteBufAllocator.DEFAULT, token));
                relay(accepted, type, stream, description + " connection");
            }
        } catch (ErrnoException | TransportException e) {
            log.warn("{}: no longer carried: {}", description, e.getMessage());
        } finally {
            acceptors.remove(token);
            draining.remove(token);
            FileCalls.closeQuietly(fd);
        }
    }

    /**
     * Receiving side: a listening socket standing for the sender's, to pass on to the program; bound
     * at {@code path} (allowed by the caller) when not null, else at a fresh abstract name.
     */
    int make(PassedFds.Listener passed, String path, String description) throws ErrnoException {
        int type = passed.type();
        long token = passed.token();
        int fd = UnixSockets.socket(type);
        SocketName name;
        try {
            Stat replaced = path == null ? null : replacePlaceholder(fd, path);
            name = path == null ? freshAbstractName() : SocketName.path(path);
            UnixSockets.listen(fd, name, BACKLOG);
            if (replaced != null) {
                chown(path, replaced);
            }
            if (!passed.nonBlocking()) { // as the program's parent made it: its accept() may block
                FileCalls.fcntl(fd, Flags.F_SETFL, FileCalls.fcntl(fd, Flags.F_GETFL, 0) & ~Flags.O_NONBLOCK);
            }
        } catch (ErrnoException e) {
            FileCalls.closeQuietly(fd);
            throw e;
        }
        java.util.List<ByteStream> waiting;
        synchronized (this) {
            targets.put(token, new Target(name, type, description));
            waiting = early.remove(token);
        }
        if (waiting != null) {
            waiting.forEach(stream -> connect(token, targets.get(token), stream));
        }
        return fd;
    }

    private static SocketName freshAbstractName() {
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        return SocketName.abstractName("dpuoffload-listener-" + HexFormat.of().formatHex(random));
    }

    /**
     * The sender's bind made a socket file at {@code path} (through a shared directory) that nothing
     * on this side listens on: removes it, gives {@code fd} its mode, and returns what it was (null
     * when there was none). Anything but a socket there is left alone, and refused.
     */
    private static Stat replacePlaceholder(int fd, String path) throws ErrnoException {
        Stat existing;
        try {
            existing = Metadata.statx(Flags.AT_FDCWD, path, Flags.AT_SYMLINK_NOFOLLOW);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT) {
                return null;
            }
            throw e;
        }
        if (existing.type() != Flags.S_IFSOCK) {
            throw new ErrnoException("bind a passed listener at " + path + " (not a socket there)", Errno.EEXIST);
        }
        Metadata.fchmod(fd, existing.permissions());
        PathCalls.unlinkat(Flags.AT_FDCWD, path, 0);
        return existing;
    }

    private static void chown(String path, Stat owner) {
        try {
            Metadata.fchownat(Flags.AT_FDCWD, path, owner.uid(), owner.gid(), Flags.AT_SYMLINK_NOFOLLOW);
        } catch (ErrnoException e) {
            log.warn("passed listener at {}: cannot give it the owner of the socket file it replaced: {}", path, e);
        }
    }

    /** Receiving side: true when {@code token} is a listener's, and the stream was taken care of. */
    boolean arrived(long token, ByteStream stream) {
        if ((token & LISTENER_TOKEN) == 0) {
            return false;
        }
        Target target;
        synchronized (this) {
            target = targets.get(token);
            if (target == null) {
                var parked = early.computeIfAbsent(token, t -> new java.util.ArrayList<>());
                if (parked.size() < MAX_EARLY) {
                    parked.add(stream);
                    return true;
                }
            }
        }
        if (target == null) {
            stream.cancel("too many connections before the listener was passed");
            return true;
        }
        connect(token, target, stream);
        return true;
    }

    private void connect(long token, Target target, ByteStream stream) {
        int fd;
        int r;
        try {
            fd = UnixSockets.socket(target.type());
            r = UnixSockets.connect(fd, target.name());
        } catch (ErrnoException e) {
            log.warn("{}: cannot make a socket: {}", target.description(), e.getMessage());
            stream.cancel("no socket for the connection");
            return;
        }
        if (r != 0) {
            FileCalls.closeQuietly(fd);
            if (r != -Errno.EAGAIN) {
                targets.remove(token); // the program closed its listener (it ended): forget it
            }
            log.info("{}: connection refused ({})", target.description(), Errno.name(-r));
            stream.cancel("connection refused: " + Errno.name(-r));
            return;
        }
        relay(fd, target.type(), stream, target.description() + " connection");
    }

    private void relay(int fd, int type, ByteStream stream, String description) {
        relayOpened.run();
        SocketRelay.start(
                fd,
                stream,
                new SocketRelay.Options(type, LocalEnd.SOCKET, false, description, relayClosed, status -> {}, fds));
    }
}
