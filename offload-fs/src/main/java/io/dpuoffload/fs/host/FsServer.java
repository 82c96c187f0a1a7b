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
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.IoCallable;
import io.dpuoffload.transport.RequestContext;
import io.dpuoffload.transport.ServiceException;
import io.dpuoffload.transport.Services;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host side of offload-fs as channel services: ATTACH opens a session on an export, OP runs
 * one FUSE request in it as the caller. Sessions end with the connection that opened them.
 */
public final class FsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FsServer.class);

    /** A notification the DPU has not taken by then is moot: its poller gave up or the link is gone. */
    private static final java.time.Duration NOTIFY_TIMEOUT = java.time.Duration.ofSeconds(10);

    private final FsServerConfig config;
    private final IdentityPool pool = new IdentityPool();
    private final Map<Integer, HostSession> sessions = new ConcurrentHashMap<>();
    private final Map<Integer, Long> owners = new ConcurrentHashMap<>();
    private final AtomicInteger nextSession = new AtomicInteger();
    private final WaitingCalls waiting = new WaitingCalls();

    public FsServer(FsServerConfig config) {
        this.config = config;
    }

    /** Adds offload-fs's services to a channel's services. */
    public Services.Builder register(Services.Builder services) {
        return services.onRequest(FsWire.ATTACH, this::attach).onRequestAsync(FsWire.OP, this::op);
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
        session.sender = message -> {
            ByteBuf notice =
                    ByteBufAllocator.DEFAULT.buffer(4 + message.remaining()).writeInt(session.id);
            notice.writeBytes(message);
            return context.requestPeer(FsWire.NOTIFY, notice, NOTIFY_TIMEOUT).whenComplete((reply, failure) -> {
                if (reply != null) {
                    reply.release();
                }
            });
        };
        sessions.put(session.id, session);
        owners.put(session.id, context.connectionId());
        context.connectionClosed().whenComplete((reason, failure) -> end(session));
        log.info("{} attached export {} ({}) as session {}", context.peer(), name, export.path(), session.id);
        return FsWire.attachReply(ByteBufAllocator.DEFAULT, session.policy());
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
        return noticed.isDone() ? reply : reply.thenCombine(noticed.exceptionally(failure -> null), (r, n) -> r);
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
            session.close();
            log.info("session {} of export {} ended", session.id, session.export.name());
        }
    }

    @Override
    public void close() {
        sessions.values().forEach(this::end);
        pool.close();
    }
}
