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
import io.dpuoffload.linux.Poll;
import io.dpuoffload.linux.SocketName;
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
 * listener's token; the receiver made a listening socket of its own (an abstract name, so nothing
 * is left on disk) and connects each arriving stream to it, so the program accepts as usual.
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

    private void acceptLoop(int fd, int type, long token, String description) {
        try {
            while (!Thread.currentThread().isInterrupted() && acceptors.containsKey(token)) {
                if (Poll.poll(fd, Poll.POLLIN, STOP_CHECK_MILLIS) == 0) {
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
            FileCalls.closeQuietly(fd);
        }
    }

    /** Receiving side: a listening socket standing for the sender's, to pass on to the program. */
    int make(PassedFds.Listener passed, String description) throws ErrnoException {
        int type = passed.type();
        long token = passed.token();
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        SocketName name =
                SocketName.abstractName("dpuoffload-listener-" + HexFormat.of().formatHex(random));
        int fd = UnixSockets.socket(type);
        try {
            UnixSockets.listen(fd, name, BACKLOG);
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
