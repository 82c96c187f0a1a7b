package io.dpuoffload.transport.handshake;

import io.dpuoffload.transport.Feature;
import io.dpuoffload.transport.HandshakeException;
import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.frame.Frame;
import io.dpuoffload.transport.frame.Frame.GoAway;
import io.dpuoffload.transport.frame.Frame.Hello;
import io.dpuoffload.transport.frame.Frame.HelloAck;
import io.dpuoffload.transport.metrics.TransportMetrics;
import io.dpuoffload.transport.tls.PeerIdentity;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connecting side of the handshake: TLS → check the server's identity → HELLO → wait for
 * HELLO_ACK (or the server's GO_AWAY saying why not). Completes {@code result} with the connection,
 * or with a {@link HandshakeException} whose message says what to fix.
 */
public final class ClientHandshake extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ClientHandshake.class);

    private final TransportConfig config;
    private final TransportMetrics metrics;
    private final boolean tls;
    private final CompletableFuture<OffloadConnection> result;
    private PeerIdentity peer;
    private ScheduledFuture<?> timeout;
    private String lastError;

    public ClientHandshake(
            TransportConfig config,
            TransportMetrics metrics,
            boolean tls,
            CompletableFuture<OffloadConnection> result) {
        this.config = config;
        this.metrics = metrics;
        this.tls = tls;
        this.result = result;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timeout = ctx.executor()
                .schedule(
                        () -> fail(
                                ctx,
                                "the server did not complete the handshake within "
                                        + config.handshakeTimeout().toMillis() + " ms"),
                        config.handshakeTimeout().toNanos(),
                        TimeUnit.NANOSECONDS);
        if (!tls) {
            sendHello(ctx, LocalPeer.of(ctx.channel()));
        }
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent done) {
            if (!done.isSuccess()) {
                fail(ctx, Failures.describe(done.cause()));
                return;
            }
            PeerIdentity identity;
            try {
                identity = PeerIdentity.fromSslSession(
                        ctx.pipeline().get(SslHandler.class).engine().getSession());
            } catch (RuntimeException e) {
                fail(ctx, "the server's certificate names no node: " + e.getMessage());
                return;
            }
            if (!config.peerPolicy().test(identity)) {
                fail(ctx, "the server is " + identity + ", which this side is not configured to talk to");
                return;
            }
            sendHello(ctx, identity);
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        switch (frame) {
            case HelloAck ack when peer != null && !result.isDone() -> accept(ctx, ack);
            case GoAway goAway -> fail(ctx, "the server refused (" + goAway.code() + "): " + goAway.reason());
            default -> {
                frame.release();
                fail(ctx, "the server sent " + frame.type() + " instead of HELLO_ACK");
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        lastError = Failures.describe(cause);
        fail(ctx, lastError);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(
                ctx,
                "the server closed the connection during the handshake" + (lastError == null ? "" : ": " + lastError));
        ctx.fireChannelInactive();
    }

    private void sendHello(ChannelHandlerContext ctx, PeerIdentity identity) {
        peer = identity;
        ctx.writeAndFlush(new Hello(
                config.versions().min(),
                config.versions().max(),
                Feature.offeredMask(config.features()),
                Software.NAME));
    }

    private void accept(ChannelHandlerContext ctx, HelloAck ack) {
        int version = ack.version();
        if (version < config.versions().min() || version > config.versions().max()) {
            fail(ctx, "the server chose protocol version " + version + ", outside this side's " + config.versions());
            return;
        }
        timeout.cancel(false);
        OffloadConnection connection = ConnectionInstaller.install(
                ctx, config, metrics, true, peer, version, ack.features() & Feature.offeredMask(config.features()));
        log.debug(
                "connected to {} at {} (protocol {})",
                peer,
                io.dpuoffload.transport.net.Addresses.describe(ctx.channel().remoteAddress()),
                version);
        result.complete(connection);
    }

    private void fail(ChannelHandlerContext ctx, String reason) {
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (result.completeExceptionally(new HandshakeException("handshake with "
                + io.dpuoffload.transport.net.Addresses.describe(ctx.channel().remoteAddress()) + " failed: "
                + reason))) {
            ctx.close();
        }
    }
}
