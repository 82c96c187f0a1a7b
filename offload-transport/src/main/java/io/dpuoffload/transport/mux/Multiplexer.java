package io.dpuoffload.transport.mux;

import io.dpuoffload.transport.AsyncRequestHandler;
import io.dpuoffload.transport.ConnectionLostException;
import io.dpuoffload.transport.DeadlineExceededException;
import io.dpuoffload.transport.Feature;
import io.dpuoffload.transport.RemoteException;
import io.dpuoffload.transport.RequestHandler;
import io.dpuoffload.transport.ServiceException;
import io.dpuoffload.transport.StreamHandler;
import io.dpuoffload.transport.StreamResetException;
import io.dpuoffload.transport.TransportException;
import io.dpuoffload.transport.frame.Frame;
import io.dpuoffload.transport.frame.Frame.ErrorResponse;
import io.dpuoffload.transport.frame.Frame.GoAway;
import io.dpuoffload.transport.frame.Frame.Notice;
import io.dpuoffload.transport.frame.Frame.Request;
import io.dpuoffload.transport.frame.Frame.Reset;
import io.dpuoffload.transport.frame.Frame.Response;
import io.dpuoffload.transport.frame.Frame.StreamData;
import io.dpuoffload.transport.frame.Frame.StreamOpen;
import io.dpuoffload.transport.frame.Frame.WindowUpdate;
import io.dpuoffload.transport.frame.GoAwayCode;
import io.dpuoffload.transport.frame.ResetCode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs requests and byte streams over one connection once the handshake is done. All state lives on
 * the channel's event loop; the public methods hop onto it. Blocking handlers run on the handler
 * executor (virtual threads), asynchronous ones on the loop itself.
 *
 * <p>Stream ids: the side that opened the connection uses odd ids, the other even ids, so both can
 * start requests without coordinating.
 */
public final class Multiplexer extends ChannelInboundHandlerAdapter implements StreamSink {
    private static final Logger log = LoggerFactory.getLogger(Multiplexer.class);

    /** Requests must leave the handler a little time; shorter deadlines are raised to this. */
    private static final long MIN_TIMEOUT_MILLIS = 1;

    private static final java.util.concurrent.atomic.AtomicLong CONNECTION_IDS =
            new java.util.concurrent.atomic.AtomicLong();

    private final long connectionId = CONNECTION_IDS.incrementAndGet();
    private final MuxSettings settings;
    private final AtomicInteger nextStreamId;
    private final Map<Integer, OutboundRequest> outbound = new HashMap<>();
    private final Map<Integer, InboundRequest> inbound = new HashMap<>();
    private final Map<Integer, ByteStream> streams = new HashMap<>();
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    private volatile String closeReason;
    private volatile boolean peerStopped; // its GO_AWAY said SHUTDOWN
    private Channel channel;
    private NoticeFlush noticeFlush;

    public Multiplexer(MuxSettings settings) {
        this.settings = settings;
        this.nextStreamId = new AtomicInteger(settings.initiator() ? 1 : 2);
    }

    // ---- API (any thread) ----

    public CompletableFuture<ByteBuf> request(int service, ByteBuf body, Duration timeout) {
        CompletableFuture<ByteBuf> result = new CompletableFuture<>();
        long start = System.nanoTime();
        long timeoutNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(MIN_TIMEOUT_MILLIS), timeout.toNanos());
        int id = allocateStreamId();
        eventLoop().execute(() -> startRequest(id, service, body, start, timeoutNanos, result));
        result.whenComplete((answer, failure) -> {
            if (failure instanceof CancellationException) {
                eventLoop().execute(() -> abandon(id, ResetCode.CANCELLED, "cancelled by the caller"));
            }
        });
        return result;
    }

    /**
     * Sends {@code body} to {@code service} on the peer, which runs its handler and drops the answer.
     * It goes out with the next frame this side flushes, or within {@link #NOTICE_BOUND}, in order
     * with the frames sent before and after it. The future completes once it is on its way (the
     * handler's outcome is not reported), or fails with {@link ConnectionLostException} when the
     * connection is lost first: then the peer may or may not have run it. To a peer without {@link
     * Feature#NOTICES} it goes as a request, {@code timeout} its deadline, whose answer is dropped;
     * the future then completes with the answer.
     */
    public CompletableFuture<Void> notice(int service, ByteBuf body, Duration timeout) {
        if ((settings.features() & 1L << Feature.NOTICES.bit()) == 0) {
            return request(service, body, timeout).thenAccept(ByteBuf::release);
        }
        CompletableFuture<Void> sent = new CompletableFuture<>();
        eventLoop().execute(() -> sendNotice(service, body, sent));
        return sent;
    }

    /** The longest a notice waits for a frame to go out with (see {@link #notice}). */
    public static final Duration NOTICE_BOUND = NoticeFlush.BOUND;

    public ByteStream openStream(int service, ByteBuf header) {
        int id = allocateStreamId();
        ByteStream stream = new ByteStream(id, this, settings.streamWindowBytes());
        eventLoop().execute(() -> {
            if (!channel.isActive()) {
                header.release();
                stream.onFailure(lost());
                return;
            }
            streams.put(id, stream);
            channel.writeAndFlush(new StreamOpen(id, service, header));
        });
        return stream;
    }

    /** Completes with the reason once the connection is closed. */
    /** Whether the peer said it stops (GO_AWAY SHUTDOWN) before the connection closed. */
    public boolean peerStopped() {
        return peerStopped;
    }

    public CompletableFuture<String> closeFuture() {
        return closed;
    }

    /** Says goodbye to the peer with a reason, then closes. */
    public void close(GoAwayCode code, String reason) {
        eventLoop().execute(() -> {
            if (closeReason == null) {
                closeReason = "closed by this side: " + reason;
            }
            if (channel.isActive()) {
                channel.writeAndFlush(new GoAway(code, reason)).addListener(ChannelFutureListener.CLOSE);
            }
        });
    }

    /** Unique in this process: lets services keep state per connection. */
    public long connectionId() {
        return connectionId;
    }

    public MuxSettings settings() {
        return settings;
    }

    // ---- channel events (event loop) ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        noticeFlush = new NoticeFlush();
        ctx.pipeline().addBefore(ctx.name(), "notice-flush", noticeFlush);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        switch (frame) {
            case Request r -> onRequest(r);
            case Notice n -> onNotice(n);
            case Response r -> onResponse(r);
            case ErrorResponse e -> onErrorResponse(e);
            case Reset r -> onReset(r);
            case StreamOpen o -> onStreamOpen(o);
            case StreamData d -> onStreamData(d);
            case WindowUpdate w -> {
                ByteStream stream = streams.get(w.streamId());
                if (stream != null) {
                    stream.onWindowUpdate(w.increment());
                }
            }
            case GoAway g -> {
                closeReason = "peer closed the connection (" + g.code() + "): " + g.reason();
                peerStopped = g.code() == GoAwayCode.SHUTDOWN;
                log.info("{}: {}", peerDescription(), closeReason);
                ctx.close();
            }
            case Frame.ConnectionFrame c -> protocolError(ctx, c.type() + " frame after the handshake");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closeReason == null) {
            closeReason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        }
        log.debug("{}: closing after error", peerDescription(), cause);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (closeReason == null) {
            closeReason = "peer closed the connection";
        }
        TransportException failure = lost();
        for (OutboundRequest request : new ArrayList<>(outbound.values())) {
            request.deadline().cancel(false);
            request.result().completeExceptionally(failure);
        }
        outbound.clear();
        inbound.values().forEach(InboundRequest::cancel);
        inbound.clear();
        for (ByteStream stream : new ArrayList<>(streams.values())) {
            stream.onFailure(failure);
        }
        streams.clear();
        settings.metrics().connectionClosed();
        closed.complete(closeReason);
        ctx.fireChannelInactive();
    }

    // ---- outbound requests ----

    private void startRequest(
            int id, int service, ByteBuf body, long start, long timeoutNanos, CompletableFuture<ByteBuf> result) {
        if (result.isDone()) {
            body.release();
            return;
        }
        if (!channel.isActive()) {
            body.release();
            result.completeExceptionally(lost());
            return;
        }
        if (openCount() >= settings.maxConcurrentStreams()) {
            body.release();
            result.completeExceptionally(new StreamResetException(
                    ResetCode.REFUSED,
                    "too many requests and streams " + "open to " + peerDescription() + " (limit "
                            + settings.maxConcurrentStreams() + ")"));
            return;
        }
        long remaining = timeoutNanos - (System.nanoTime() - start);
        var deadline =
                eventLoop().schedule(() -> expire(id, timeoutNanos), Math.max(0, remaining), TimeUnit.NANOSECONDS);
        outbound.put(id, new OutboundRequest(id, service, start, result, deadline));
        long remainingMillis = Math.max(MIN_TIMEOUT_MILLIS, TimeUnit.NANOSECONDS.toMillis(remaining));
        channel.writeAndFlush(new Request(id, service, remainingMillis, body)).addListener(f -> {
            if (!f.isSuccess()) {
                OutboundRequest failed = outbound.remove(id);
                if (failed != null) {
                    failed.deadline().cancel(false);
                    failed.result()
                            .completeExceptionally(new ConnectionLostException(
                                    "could not send a request to " + peerDescription() + ": "
                                            + f.cause().getMessage(),
                                    f.cause()));
                }
            }
        });
    }

    private void sendNotice(int service, ByteBuf body, CompletableFuture<Void> sent) {
        if (!channel.isActive()) {
            body.release();
            sent.completeExceptionally(lost());
            return;
        }
        settings.metrics().noticeSent();
        channel.write(new Notice(service, body)).addListener(f -> {
            if (f.isSuccess()) {
                sent.complete(null);
            } else {
                sent.completeExceptionally(new ConnectionLostException(
                        "could not send a notice to " + peerDescription() + ": "
                                + f.cause().getMessage(),
                        f.cause()));
            }
        });
        noticeFlush.written();
    }

    private void expire(int id, long timeoutNanos) {
        OutboundRequest request = outbound.remove(id);
        if (request == null) {
            return;
        }
        if (channel.isActive()) {
            channel.writeAndFlush(new Reset(id, ResetCode.DEADLINE_EXCEEDED, "deadline passed"));
        }
        request.result()
                .completeExceptionally(new DeadlineExceededException("no answer from " + peerDescription()
                        + " to a request for service " + request.service() + " within "
                        + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms"));
    }

    private void abandon(int id, ResetCode code, String reason) {
        OutboundRequest request = outbound.remove(id);
        if (request != null) {
            request.deadline().cancel(false);
            if (channel.isActive()) {
                channel.writeAndFlush(new Reset(id, code, reason));
            }
        }
    }

    private void onResponse(Response response) {
        OutboundRequest request = outbound.remove(response.streamId());
        if (request == null || !request.result().complete(response.body())) {
            response.release(); // late: the caller already gave up
        }
        if (request != null) {
            request.deadline().cancel(false);
            settings.metrics().requestCompleted(System.nanoTime() - request.startNanos());
        }
    }

    private void onErrorResponse(ErrorResponse error) {
        OutboundRequest request = outbound.remove(error.streamId());
        if (request != null) {
            request.deadline().cancel(false);
            settings.metrics().requestCompleted(System.nanoTime() - request.startNanos());
            request.result().completeExceptionally(new RemoteException(error.code(), error.message()));
        }
    }

    private void onReset(Reset reset) {
        OutboundRequest request = outbound.remove(reset.streamId());
        if (request != null) {
            request.deadline().cancel(false);
            request.result()
                    .completeExceptionally(new StreamResetException(
                            reset.code(),
                            peerDescription()
                                    + " ended the request for service " + request.service() + " (" + reset.code()
                                    + "): "
                                    + reset.reason()));
        }
        InboundRequest served = inbound.remove(reset.streamId());
        if (served != null) {
            served.cancel();
        }
        ByteStream stream = streams.remove(reset.streamId());
        if (stream != null) {
            stream.onFailure(new StreamResetException(
                    reset.code(),
                    peerDescription() + " reset stream " + reset.streamId() + " (" + reset.code() + "): "
                            + reset.reason()));
        }
    }

    // ---- inbound requests and streams ----

    private void onRequest(Request request) {
        int id = request.streamId();
        if (!acceptPeerStream(id, request)) {
            return;
        }
        AsyncRequestHandler async =
                settings.services().asyncRequestHandler(request.service()).orElse(null);
        RequestHandler handler =
                settings.services().requestHandler(request.service()).orElse(null);
        if (async == null && handler == null) {
            request.release();
            sendReset(id, ResetCode.NO_HANDLER, "no handler for service " + request.service() + " on this side");
            return;
        }
        settings.metrics().requestServed();
        long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(MIN_TIMEOUT_MILLIS, request.timeoutMillis()));
        InboundRequest context =
                new InboundRequest(id, request.service(), System.nanoTime() + timeoutNanos, settings.peer(), this);
        inbound.put(id, context);
        if (async != null) {
            serveInPlace(async, context, request.body());
        } else {
            settings.handlerExecutor().execute(() -> serve(handler, context, request.body()));
        }
    }

    /**
     * Runs the handler as for a request, where a request's would run (an asynchronous one in place,
     * so in arrival order with the requests around it), and drops its answer: nothing goes back.
     */
    private void onNotice(Notice notice) {
        settings.metrics().noticeReceived();
        int service = notice.service();
        AsyncRequestHandler async =
                settings.services().asyncRequestHandler(service).orElse(null);
        RequestHandler handler = settings.services().requestHandler(service).orElse(null);
        if (async == null && handler == null) {
            notice.release();
            log.warn("{}: dropped a notice for service {}: no handler on this side", peerDescription(), service);
            return;
        }
        // Nobody waits for it: no deadline, and nothing cancels it (it is not kept, as requests are).
        InboundRequest context = new InboundRequest(0, service, Long.MAX_VALUE / 2, settings.peer(), this);
        ByteBuf body = notice.body();
        if (async == null) {
            settings.handlerExecutor().execute(() -> {
                try {
                    dropAnswer(handler.handle(context, body), null, service);
                } catch (Exception | Error e) {
                    dropAnswer(null, e, service);
                } finally {
                    body.release();
                }
            });
            return;
        }
        try {
            async.handle(context, body).whenComplete((answer, failure) -> {
                body.release();
                dropAnswer(answer, failure, service);
            });
        } catch (Exception | Error e) {
            body.release();
            dropAnswer(null, e, service);
        }
    }

    private void dropAnswer(ByteBuf answer, Throwable failure, int service) {
        if (answer != null) {
            answer.release();
        }
        Throwable cause = failure instanceof CompletionException c ? c.getCause() : failure;
        if (cause instanceof ServiceException e) {
            log.debug("{}: notice for service {} failed: {}", peerDescription(), service, e.getMessage());
        } else if (cause != null) {
            log.warn("{}: handler for a notice to service {} failed", peerDescription(), service, cause);
        }
    }

    private void serve(RequestHandler handler, InboundRequest context, ByteBuf body) {
        Frame answer;
        try {
            answer = new Response(context.streamId(), orEmpty(handler.handle(context, body)));
        } catch (Exception | Error e) {
            answer = failureAnswer(context, e);
        } finally {
            body.release();
        }
        Frame reply = answer;
        eventLoop().execute(() -> sendAnswer(context, reply));
    }

    /** On the event loop: the handler answers now, or later from a thread of its own. */
    private void serveInPlace(AsyncRequestHandler handler, InboundRequest context, ByteBuf body) {
        CompletionStage<ByteBuf> answer;
        try {
            answer = handler.handle(context, body);
        } catch (Exception | Error e) {
            body.release();
            sendAnswer(context, failureAnswer(context, e));
            return;
        }
        answer.whenComplete((result, failure) -> {
            body.release();
            Frame reply = failure == null
                    ? new Response(context.streamId(), orEmpty(result))
                    : failureAnswer(context, failure instanceof CompletionException c ? c.getCause() : failure);
            if (eventLoop().inEventLoop()) {
                sendAnswer(context, reply);
            } else {
                eventLoop().execute(() -> sendAnswer(context, reply));
            }
        });
    }

    private static ByteBuf orEmpty(ByteBuf result) {
        return result == null ? io.netty.buffer.Unpooled.EMPTY_BUFFER : result;
    }

    private Frame failureAnswer(InboundRequest context, Throwable failure) {
        if (failure instanceof ServiceException e) {
            return new ErrorResponse(context.streamId(), e.code(), e.getMessage());
        }
        log.warn("{}: handler for service {} failed", peerDescription(), context.service(), failure);
        return new Reset(
                context.streamId(),
                ResetCode.INTERNAL,
                failure.getClass().getSimpleName() + ": " + failure.getMessage());
    }

    private void sendAnswer(InboundRequest context, Frame reply) {
        if (inbound.remove(context.streamId()) != null && !context.isCancelled() && channel.isActive()) {
            channel.writeAndFlush(reply);
        } else {
            reply.release();
        }
    }

    private void onStreamOpen(StreamOpen open) {
        int id = open.streamId();
        if (!acceptPeerStream(id, open)) {
            return;
        }
        StreamHandler handler =
                settings.services().streamHandler(open.service()).orElse(null);
        if (handler == null) {
            open.release();
            sendReset(id, ResetCode.NO_HANDLER, "no stream handler for service " + open.service() + " on this side");
            return;
        }
        ByteStream stream = new ByteStream(id, this, settings.streamWindowBytes());
        streams.put(id, stream);
        InboundRequest context = new InboundRequest(id, open.service(), Long.MAX_VALUE / 2, settings.peer(), this);
        settings.handlerExecutor().execute(() -> {
            try {
                handler.accept(context, stream, open.header());
            } catch (Exception | Error e) {
                log.warn("{}: stream handler for service {} failed", peerDescription(), open.service(), e);
                stream.cancel(e.getClass().getSimpleName() + ": " + e.getMessage());
            } finally {
                open.release();
            }
        });
    }

    private void onStreamData(StreamData data) {
        ByteStream stream = streams.get(data.streamId());
        if (stream == null) {
            data.release(); // the stream was reset or cancelled here; the peer learns from our RESET
            return;
        }
        stream.onData(data);
    }

    /** Checks a stream id the peer chose; refuses when too many are open. */
    private boolean acceptPeerStream(int id, Frame frame) {
        boolean peerParity = (id & 1) == (settings.initiator() ? 0 : 1);
        if (!peerParity || inbound.containsKey(id) || streams.containsKey(id)) {
            frame.release();
            protocolError(
                    channel.pipeline().context(this),
                    "peer used stream id " + Integer.toUnsignedString(id)
                            + (peerParity ? " twice" : ", which belongs to this side"));
            return false;
        }
        if (openCount() >= settings.maxConcurrentStreams()) {
            frame.release();
            sendReset(
                    id,
                    ResetCode.REFUSED,
                    "too many open requests and streams (limit " + settings.maxConcurrentStreams() + ")");
            return false;
        }
        return true;
    }

    private void protocolError(ChannelHandlerContext ctx, String reason) {
        closeReason = "protocol error: " + reason;
        log.warn("{}: closing the connection: {}", peerDescription(), closeReason);
        settings.metrics().protocolError();
        ctx.writeAndFlush(new GoAway(GoAwayCode.PROTOCOL_ERROR, reason)).addListener(ChannelFutureListener.CLOSE);
    }

    // ---- StreamSink ----

    @Override
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    @Override
    public ChannelFuture send(Frame frame) {
        return channel.write(frame);
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public void reset(int streamId, ResetCode code, String reason) {
        sendReset(streamId, code, reason);
    }

    @Override
    public void streamDone(int streamId) {
        streams.remove(streamId);
    }

    @Override
    public String peerDescription() {
        return settings.peer() + " at "
                + (channel == null ? "?" : io.dpuoffload.transport.net.Addresses.describe(channel.remoteAddress()));
    }

    private void sendReset(int id, ResetCode code, String reason) {
        if (channel.isActive()) {
            channel.writeAndFlush(new Reset(id, code, reason));
        }
    }

    private int openCount() {
        return outbound.size() + inbound.size() + streams.size();
    }

    /**
     * The next id of this side's parity. After about a billion exchanges the ids run out; the
     * connection is then closed and the client's reconnect starts afresh, rather than reusing ids.
     */
    private int allocateStreamId() {
        int id = nextStreamId.getAndAdd(2);
        if (id <= 0) {
            close(GoAwayCode.RECONNECT, "stream ids exhausted; reconnect");
        }
        return id;
    }

    private ConnectionLostException lost() {
        String reason = closeReason == null ? "connection closed" : closeReason;
        return new ConnectionLostException("connection to " + peerDescription() + " lost: " + reason, peerStopped);
    }
}
