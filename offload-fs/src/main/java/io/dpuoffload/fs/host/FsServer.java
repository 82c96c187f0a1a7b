package io.dpuoffload.fs.host;

import io.dpuoffload.fs.config.ExportConfig;
import io.dpuoffload.fs.config.FsServerConfig;
import io.dpuoffload.fs.fuse.FuseNegotiated;
import io.dpuoffload.fs.fuse.FuseOperation;
import io.dpuoffload.fs.fuse.FuseProtocolException;
import io.dpuoffload.fs.fuse.FuseReplies;
import io.dpuoffload.fs.fuse.FuseRequest;
import io.dpuoffload.fs.fuse.FuseRequestDecoder;
import io.dpuoffload.fs.host.watch.ServerThreads;
import io.dpuoffload.fs.wire.FsWire;
import io.dpuoffload.fs.wire.PostOpAttrs;
import io.dpuoffload.fs.wire.Resumption;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.IoCallable;
import io.dpuoffload.transport.ConnectionLostException;
import io.dpuoffload.transport.RequestContext;
import io.dpuoffload.transport.ServiceException;
import io.dpuoffload.transport.Services;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host side of offload-fs as channel services: ATTACH opens a session on an export, OP runs
 * one FUSE request in it as the caller. A session whose connection closes is kept for
 * {@code resumeWithin}, for the same DPU to take back with RESUME on its next connection (see
 * {@link Resumption}); then it ends.
 */
public final class FsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FsServer.class);

    /** A notification the DPU has not taken by then is moot: its poller gave up or the link is gone. */
    private static final Duration NOTIFY_TIMEOUT = Duration.ofSeconds(10);

    /** Long enough for a DPU to reconnect after a cut link or a channel restart. */
    public static final Duration DEFAULT_RESUME_WITHIN = Duration.ofSeconds(60);

    private final FsServerConfig config;
    private final Duration resumeWithin;
    private final IdentityPool pool = new IdentityPool();
    private final Map<Integer, HostSession> sessions = new ConcurrentHashMap<>();
    private final Map<Integer, Long> owners = new ConcurrentHashMap<>();
    /** Sessions without a connection, each with the number of its detachment (a timer ends it). */
    private final Map<Integer, Long> detached = new ConcurrentHashMap<>();

    private final AtomicLong detachments = new AtomicLong();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("offload-fs-sessions").daemon().factory());
    private final AtomicInteger nextSession = new AtomicInteger();
    private final WaitingCalls waiting = new WaitingCalls();

    public FsServer(FsServerConfig config) {
        this(config, DEFAULT_RESUME_WITHIN);
    }

    public FsServer(FsServerConfig config, Duration resumeWithin) {
        this.config = config;
        this.resumeWithin = resumeWithin;
    }

    /** Adds offload-fs's services to a channel's services. */
    public Services.Builder register(Services.Builder services) {
        return services.onRequest(FsWire.ATTACH, this::attach)
                .onRequest(Resumption.RESUME, this::resume)
                .onRequestAsync(FsWire.OP, this::op);
    }

    public int sessionCount() {
        return sessions.size();
    }

    private ByteBuf attach(RequestContext context, ByteBuf body) throws ServiceException {
        String name = FsWire.attachExport(body);
        ExportConfig export = config.export(name)
                .orElseThrow(() -> new ServiceException(
                        Errno.ENOENT,
                        "no export named '" + name + "' on " + config.node() + "; exports: "
                                + config.exports().stream()
                                        .map(ExportConfig::name)
                                        .toList()));
        HostSession session;
        try {
            session = HostSession.open(
                    nextSession.incrementAndGet(), export, context.peer().toString(), config.maxOpenHandles());
        } catch (ErrnoException e) {
            throw new ServiceException(
                    e.errno(), "cannot open export " + name + " at " + export.path() + ": " + e.getMessage());
        }
        sessions.put(session.id, session);
        bind(session, context);
        log.info("{} attached export {} ({}) as session {}", context.peer(), name, export.path(), session.id);
        return FsWire.attachReply(ByteBufAllocator.DEFAULT, session.policy());
    }

    /** The same DPU takes back a session its lost connection left (see {@link Resumption}). */
    private ByteBuf resume(RequestContext context, ByteBuf body) throws ServiceException {
        Resumption.Resume asked;
        try {
            asked = Resumption.Resume.read(body);
        } catch (IllegalArgumentException e) {
            throw new ServiceException(Errno.EINVAL, e.getMessage());
        }
        HostSession session = sessions.get(asked.session());
        if (session == null
                || !session.export.name().equals(asked.export())
                || !session.peer.equals(context.peer().toString())) {
            // Another peer's session is as good as none: its nodes and handles are not for this one.
            throw new ServiceException(
                    Errno.ESTALE,
                    "no session " + asked.session() + " of export " + asked.export() + " to resume for "
                            + context.peer() + " (it ended after " + resumeWithin.toSeconds()
                            + " s without a connection, or the server restarted): attach anew");
        }
        detached.remove(session.id);
        bind(session, context);
        List<ByteBuffer> held = session.held.takeAll();
        int dropped = session.held.takeDropped();
        log.info(
                "{} resumed session {} of export {}; {} notifications held for it{}",
                context.peer(),
                session.id,
                session.export.name(),
                held.size(),
                dropped == 0 ? "" : ", " + dropped + " more dropped (its caches may be stale until they expire)");
        held.forEach(session.sender::apply);
        return FsWire.attachReply(ByteBufAllocator.DEFAULT, session.policy());
    }

    /** Makes {@code context}'s connection the session's: its requests, its notifications. */
    private void bind(HostSession session, RequestContext context) {
        long connection = context.connectionId();
        session.sender = new Function<>() {
            @Override
            public CompletionStage<?> apply(ByteBuffer message) {
                ByteBuffer copy =
                        ByteBuffer.allocate(message.remaining()).put(message).flip();
                ByteBuf notice =
                        ByteBufAllocator.DEFAULT.buffer(4 + copy.remaining()).writeInt(session.id);
                notice.writeBytes(copy.duplicate());
                Function<ByteBuffer, CompletionStage<?>> self = this;
                return context.requestPeer(FsWire.NOTIFY, notice, NOTIFY_TIMEOUT)
                        .whenComplete((reply, failure) -> {
                            if (reply != null) {
                                reply.release();
                            } else if (failure != null && isLostConnection(failure)) {
                                // Lost with its connection: held for the one that resumes the session,
                                // or sent on it if that came already.
                                if (session.sender == self) {
                                    session.held.hold(copy);
                                } else {
                                    session.sender.apply(copy);
                                }
                            }
                        });
            }
        };
        owners.put(session.id, connection);
        context.connectionClosed()
                .whenComplete((reason, failure) -> detach(session, connection, context.peerStopped()));
    }

    /**
     * The session's connection closed: kept without one for {@code resumeWithin}, then ended; ended
     * at once when the DPU said it stops (it unmounted, or its agent stops).
     */
    private void detach(HostSession session, long connection, boolean peerStopped) {
        if (!owners.remove(session.id, connection)) {
            return; // resumed on another connection already, or ended
        }
        if (peerStopped || resumeWithin.isZero()) {
            end(session);
            return;
        }
        session.sender = message -> {
            session.held.hold(message);
            return CompletableFuture.completedFuture(null);
        };
        long detachment = detachments.incrementAndGet();
        detached.put(session.id, detachment);
        log.info(
                "session {} of export {} lost its connection; kept {} s for its DPU to resume it",
                session.id,
                session.export.name(),
                resumeWithin.toSeconds());
        try {
            timers.schedule(
                    () -> {
                        if (detached.remove(session.id, detachment)) {
                            end(session);
                        }
                    },
                    resumeWithin.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            end(session);
        }
    }

    private static boolean isLostConnection(Throwable failure) {
        Throwable cause = failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
        return cause instanceof ConnectionLostException;
    }

    /** On the event loop: quick operations run here, the rest on the identity pool (see {@link QuickOps}). */
    private CompletionStage<ByteBuf> op(RequestContext context, ByteBuf body) throws ServiceException {
        FsWire.OpPrefix prefix = FsWire.readOpPrefix(body);
        HostSession session = sessions.get(prefix.session());
        if (session == null || !java.util.Objects.equals(owners.get(prefix.session()), context.connectionId())) {
            throw new ServiceException(Errno.ESTALE, "no session " + prefix.session() + " on this connection");
        }
        FuseRequest request;
        try {
            request = FuseRequestDecoder.decode(
                    body.nioBuffer().order(ByteOrder.LITTLE_ENDIAN),
                    new FuseNegotiated(prefix.minor(), prefix.flags()));
        } catch (FuseProtocolException e) {
            throw new ServiceException(Errno.EINVAL, "malformed FUSE request: " + e.getMessage());
        }
        var header = request.header();
        if ((prefix.features() & Resumption.RETRIED) != 0) {
            CompletableFuture<ByteBuf> done = session.replies.find(header.unique());
            if (done != null) {
                return done; // done before the connection was lost: its answer, not a second run
            }
        }
        if (request.operation() instanceof FuseOperation.Interrupt interrupt) {
            boolean waits = waiting.interrupt(session.id, interrupt.unique());
            return CompletableFuture.completedFuture(FsWire.interruptReply(waits));
        }
        boolean postOpAttrs = (prefix.features() & PostOpAttrs.FEATURE) != 0 && session.offersPostOpAttrs();
        IoCallable<ByteBuf> work = () -> {
            ServerThreads.enroll(); // its changes are the DPU's own: see ServerThreads
            return orEmpty(PassthroughFs.execute(session, request, postOpAttrs));
        };
        // Invalidations of host changes made before this open: the reply waits until the DPU has them.
        CompletableFuture<?> noticed = session.noticesBefore(request);
        CompletableFuture<ByteBuf> reply;
        if (!QuickOps.runInPlace(session, request)) {
            if (WaitingCalls.mayWait(session, request)) {
                var call = waiting.register(session.id, header.unique());
                reply = pool.submit(
                                header.uid(),
                                header.gid(),
                                prefix.groups(),
                                () -> waiting.run(call, header.unique(), work))
                        .whenComplete((r, failure) -> waiting.finish(call));
            } else {
                reply = pool.submit(header.uid(), header.gid(), prefix.groups(), work);
            }
            reply = reply.exceptionally(failure -> busyOr(header.unique(), failure));
        } else {
            try {
                reply = CompletableFuture.completedFuture(
                        pool.callHere(header.uid(), header.gid(), prefix.groups(), work));
            } catch (IOException e) {
                reply = CompletableFuture.failedFuture(e);
            }
        }
        if (!noticed.isDone()) {
            reply = reply.thenCombine(noticed.exceptionally(failure -> null), (r, n) -> r);
        }
        return RecordedReplies.mustNotRunTwice(session, request)
                ? session.replies.record(header.unique(), reply)
                : reply;
    }

    private static ByteBuf orEmpty(ByteBuf reply) {
        return reply == null ? Unpooled.EMPTY_BUFFER : reply;
    }

    /** All pool threads busy: the caller gets EAGAIN, as from a local file system out of resources. */
    private static ByteBuf busyOr(long unique, Throwable failure) {
        Throwable cause = failure instanceof CompletionException c ? c.getCause() : failure;
        if (cause instanceof ErrnoException e && e.errno() == Errno.EAGAIN) {
            return Unpooled.wrappedBuffer(FuseReplies.error(unique, Errno.EAGAIN));
        }
        throw failure instanceof CompletionException c ? c : new CompletionException(failure);
    }

    private void end(HostSession session) {
        if (sessions.remove(session.id) != null) {
            owners.remove(session.id);
            detached.remove(session.id);
            session.close();
            log.info("session {} of export {} ended", session.id, session.export.name());
        }
    }

    @Override
    public void close() {
        timers.shutdownNow();
        sessions.values().forEach(this::end);
        pool.close();
    }
}
