package io.dpuoffload.ipc;

import io.dpuoffload.ipc.config.IpcConfig;
import io.dpuoffload.ipc.relay.DurableLink;
import io.dpuoffload.ipc.relay.PeerLink;
import io.dpuoffload.ipc.relay.SocketRelay;
import io.dpuoffload.ipc.relay.StreamLink;
import io.dpuoffload.ipc.wire.IpcWire;
import io.dpuoffload.ipc.wire.Records;
import io.dpuoffload.ipc.wire.ResumeToken;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.SocketName;
import io.dpuoffload.linux.UnixSockets;
import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.RequestContext;
import io.dpuoffload.transport.Services;
import io.dpuoffload.transport.mux.ByteStream;
import io.dpuoffload.transport.net.EventLoops;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One side of offload-ipc, host or DPU alike: it makes its forwards' sockets connectable and
 * carries their connections to the peer, and it connects the peer's carried connections to its own
 * sockets where the allowlist lets it. Both directions use the same channel connection.
 *
 * <p>Unless {@link IpcConfig#resumeWithin} is zero, carried connections outlive a lost channel for
 * that long ({@link DurableLink}): the side that opened one resumes it on the next connection.
 */
public final class IpcNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IpcNode.class);
    private static final Logger audit = LoggerFactory.getLogger("dpuoffload.audit");

    /** How long a connect waits while the target's backlog is full (EAGAIN), as a blocking connect would. */
    static final Duration BACKLOG_WAIT = Duration.ofSeconds(5);

    private final IpcConfig config;
    private final IpcAllowlist allowlist;
    private final AtomicInteger active = new AtomicInteger();
    private final List<SocketListener> listeners = new ArrayList<>();
    private final FdCarrier fds;
    private volatile OffloadConnection connection;
    private final ResumableConnections resumable = new ResumableConnections(() -> this.connection);
    /** This process's offload-ipc, as the peer tells it apart from a later one (see {@link IpcWire#INSTANCE}). */
    private final ResumeToken instance = ResumeToken.random();

    /** An instance notice's deadline towards a peer that takes notices as requests (an older build). */
    private static final Duration INSTANCE_NOTICE_TIMEOUT = Duration.ofSeconds(10);

    public IpcNode(IpcConfig config) {
        this.config = config;
        this.allowlist = new IpcAllowlist(config.allow());
        this.fds = new FdCarrier(
                IpcWire.PASSED_FD,
                () -> connection,
                config.transparent(),
                allowlist,
                active::incrementAndGet,
                active::decrementAndGet);
    }

    /**
     * Lets the TAP interfaces passed over carried connections (a NIC libvirt adds to a running VM
     * through QEMU's monitor) join {@code bridges} here; none may by default.
     */
    public IpcNode allowBridges(java.util.Set<String> bridges) {
        fds.allowBridges(bridges);
        return this;
    }

    /** Adds offload-ipc's service to a channel's services. */
    public Services.Builder register(Services.Builder services) {
        return services.onStream(IpcWire.CONNECT, this::connectHere)
                .onStream(IpcWire.PASSED_FD, this::passedHere)
                .onStream(IpcWire.RESUME, resumable::resumeHere)
                .onRequestAsync(IpcWire.ACK, resumable::acknowledged)
                .onRequestAsync(IpcWire.INSTANCE, resumable::peerInstance);
    }

    /**
     * The connection to the peer that forwards use from now on (the latest one); carried
     * connections this side opened, which lost their channel, resume on it.
     */
    public void connected(OffloadConnection value) {
        // First on the connection, before anything of ours uses it: the peer learns whether we are
        // the process it knew before it handles our connects.
        value.notice(
                IpcWire.INSTANCE, IpcWire.instanceBody(ByteBufAllocator.DEFAULT, instance), INSTANCE_NOTICE_TIMEOUT);
        connection = value;
        resumable.connected(value);
    }

    /** Carried connections that would resume after a lost channel (both directions). */
    public int resumableConnections() {
        return resumable.size();
    }

    /** Creates the forwards' sockets; connections to them are carried once a peer is connected. */
    public void start() throws ErrnoException {
        for (IpcConfig.Forward forward : config.forwards()) {
            listeners.add(SocketListener.start((IoEventLoop) EventLoops.shared().next(), forward, this::carry));
            log.info(
                    "{} ({}) is carried to the peer's {}",
                    forward.listen(),
                    typeName(forward.socketType()),
                    forward.to());
        }
    }

    /** Connections being carried now, both directions. */
    public int activeConnections() {
        return active.get();
    }

    /**
     * Connects to {@code target} on the peer, as a program's connect() would: completes with a
     * connected socket of this side (its fd, blocking, the caller's to keep) once the peer's connect
     * succeeded, or fails with an {@link ErrnoException} carrying the peer's errno exactly (ENOENT,
     * ECONNREFUSED, EACCES from its allowlist). What a transparent connect installs in the caller.
     */
    public java.util.concurrent.CompletableFuture<Integer> connectToPeer(SocketName target, int socketType) {
        var result = new java.util.concurrent.CompletableFuture<Integer>();
        OffloadConnection live = connection;
        if (live == null || !live.isOpen()) {
            result.completeExceptionally(
                    new ErrnoException("connect " + target + " (no connection to the peer)", Errno.ECONNREFUSED));
            return result;
        }
        int[] pair;
        try {
            pair = UnixSockets.socketpair(socketType, true);
        } catch (ErrnoException e) {
            result.completeExceptionally(e);
            return result;
        }
        active.incrementAndGet();
        ResumeToken token = config.resumes() ? ResumeToken.random() : null;
        String description = "connect " + target;
        ByteStream stream = live.openStream(
                IpcWire.CONNECT,
                IpcWire.connectHeader(
                        ByteBufAllocator.DEFAULT, new IpcWire.ConnectRequest(target, socketType, 0, 0, 0, token)));
        var options = SocketRelay.Options.connection(socketType, true, description, active::decrementAndGet, fds);
        SocketRelay.start(pair[0], opened(token, description, stream, live), options.onStatus(status -> {
            if (status == 0) {
                result.complete(pair[1]);
            } else {
                FileCalls.closeQuietly(pair[1]);
                result.completeExceptionally(new ErrnoException("connect " + target + " on the peer", status));
            }
        }));
        return result;
    }

    /** A connection accepted on one of our forwards: carry it to the peer. */
    private void carry(int fd, IpcConfig.Forward forward) {
        OffloadConnection live = connection;
        String description = forward.listen() + " → peer " + forward.to();
        if (live == null || !live.isOpen()) {
            log.warn("{}: no connection to the peer; closing the client's connection", description);
            FileCalls.closeQuietly(fd);
            return;
        }
        if (active.incrementAndGet() > config.maxConnections()) {
            active.decrementAndGet();
            log.warn(
                    "{}: {} connections carried already (maxConnections); closing this one",
                    description,
                    config.maxConnections());
            FileCalls.closeQuietly(fd);
            return;
        }
        ByteStream stream;
        ResumeToken token = config.resumes() ? ResumeToken.random() : null;
        try {
            stream = live.openStream(
                    IpcWire.CONNECT,
                    IpcWire.connectHeader(
                            ByteBufAllocator.DEFAULT,
                            new IpcWire.ConnectRequest(forward.to(), forward.socketType(), 0, 0, 0, token)));
        } catch (RuntimeException e) {
            active.decrementAndGet();
            log.warn("{}: cannot open a stream to the peer: {}", description, e.getMessage());
            FileCalls.closeQuietly(fd);
            return;
        }
        SocketRelay.start(
                fd,
                opened(token, description, stream, live),
                SocketRelay.Options.connection(forward.socketType(), true, description, active::decrementAndGet, fds));
    }

    /** The link of a connection this side opened: resumable when it sent a token. */
    private PeerLink opened(ResumeToken token, String description, ByteStream stream, OffloadConnection live) {
        if (token == null) {
            return new StreamLink(stream);
        }
        DurableLink link = DurableLink.opener(token, config.resumeWithin(), description, resumable, stream, live);
        resumable.add(link);
        return link;
    }

    /** The peer carries a connection to one of our sockets (a virtual thread: connect may wait on a full backlog). */
    private void connectHere(RequestContext context, ByteStream stream, ByteBuf header) throws InterruptedException {
        IpcWire.ConnectRequest request;
        try {
            request = IpcWire.readConnectHeader(header);
        } catch (IllegalArgumentException e) {
            stream.cancel(e.getMessage());
            return;
        }
        String description = "peer " + context.peer() + " → " + request.target();
        String judged = allowlist.judge(request.target());
        if (judged == null) {
            audit.warn(
                    "denied peer={} uid={} op=connect path={} (not under an allowed prefix: {})",
                    context.peer(),
                    request.uid(),
                    request.target(),
                    config.allow());
            answer(stream, Errno.EACCES);
            return;
        }
        if (active.incrementAndGet() > config.maxConnections()) {
            active.decrementAndGet();
            log.warn(
                    "{}: {} connections carried already (maxConnections); refusing with EAGAIN",
                    description,
                    config.maxConnections());
            answer(stream, Errno.EAGAIN);
            return;
        }
        int fd;
        try {
            fd = UnixSockets.socket(request.socketType());
        } catch (ErrnoException e) {
            active.decrementAndGet();
            answer(stream, e.errno());
            return;
        }
        int result = connect(fd, request);
        if (result != 0) {
            active.decrementAndGet();
            FileCalls.closeQuietly(fd);
            log.debug("{}: connect failed with {}", description, Errno.name(-result));
            answer(stream, -result);
            return;
        }
        PeerLink link;
        if (request.token() != null && config.resumes()) {
            stream.write(Records.resumableStatus(ByteBufAllocator.DEFAULT, 0, 0));
            DurableLink durable = DurableLink.acceptor(
                    request.token(), config.resumeWithin(), description, resumable, stream, context.peer());
            resumable.add(durable);
            link = durable;
        } else {
            stream.write(Records.status(ByteBufAllocator.DEFAULT, 0));
            link = new StreamLink(stream);
        }
        SocketRelay.start(
                fd,
                link,
                SocketRelay.Options.connection(request.socketType(), false, description, active::decrementAndGet, fds));
    }

    /** The peer relays a pipe end or socket passed over a carried connection; its FDS record names the token. */
    private void passedHere(RequestContext context, ByteStream stream, ByteBuf header) {
        long token;
        try {
            token = IpcWire.readPassedFdHeader(header);
        } catch (IllegalArgumentException e) {
            stream.cancel(e.getMessage());
            return;
        }
        fds.arrived(token, stream);
    }

    private static int connect(int fd, IpcWire.ConnectRequest request) throws InterruptedException {
        long deadline = System.nanoTime() + BACKLOG_WAIT.toNanos();
        while (true) {
            int result = UnixSockets.connect(fd, request.target());
            if (result != -Errno.EAGAIN || System.nanoTime() > deadline) {
                return result;
            }
            Thread.sleep(10); // the listener's backlog is full: a blocking connect would wait for room
        }
    }

    /** Tells the peer its connect failed with {@code errno}, and ends the stream. */
    private static void answer(ByteStream stream, int errno) {
        stream.write(Records.status(ByteBufAllocator.DEFAULT, errno));
        stream.finish();
    }

    static String typeName(int type) {
        return type == UnixSockets.SOCK_SEQPACKET
                ? "seqpacket"
                : type == UnixSockets.SOCK_STREAM ? "stream" : "type " + type;
    }

    @Override
    public void close() {
        listeners.forEach(SocketListener::stop);
        listeners.clear();
        resumable.endAll("this side's offload-ipc stopped");
    }
}
