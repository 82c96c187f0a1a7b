package io.dpuoffload.transport.handshake;

import io.dpuoffload.transport.Feature;
import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.ProtocolVersions;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.frame.Frame;
import io.dpuoffload.transport.frame.Frame.GoAway;
import io.dpuoffload.transport.frame.Frame.Hello;
import io.dpuoffload.transport.frame.Frame.HelloAck;
import io.dpuoffload.transport.frame.GoAwayCode;
import io.dpuoffload.transport.metrics.TransportMetrics;
import io.dpuoffload.transport.tls.PeerIdentity;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.OptionalInt;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accepting side of the handshake: TLS (client certificate required) → identity check → HELLO
 * → version and feature negotiation → HELLO_ACK. No request is processed before all of that
 * succeeded; every refusal is logged once with the peer's address.
 */
public final class ServerHandshake extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ServerHandshake.class);

    private final TransportConfig config;
    private final TransportMetrics metrics;
    private final boolean tls;
    private final Consumer<OffloadConnection> onConnected;
    private PeerIdentity peer;
    private ScheduledFuture<?> timeout;
    private boolean refused;

    public ServerHandshake(
            TransportConfig config, TransportMetrics metrics, boolean tls, Consumer<OffloadConnection> onConnected) {
        this.config = config;
        this.metrics = metrics;
        this.tls = tls;
        this.onConnected = onConnected;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timeout = ctx.executor()
                .schedule(
                        () -> refuse(
                                ctx,
                                null,
                                "did not complete the handshake within "
                                        + config.handshakeTimeout().toMillis() + " ms"),
                        config.handshakeTimeout().toNanos(),
                        TimeUnit.NANOSECONDS);
        if (!tls) {
            authorize(ctx, LocalPeer.of(ctx.channel()));
        }
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent done) {
            if (!done.isSuccess()) {
                refuse(ctx, null, "TLS handshake failed: " + Failures.describe(done.cause()));
                return;
            }
            try {
                var session = ctx.pipeline().get(SslHandler.class).engine().getSession();
                authorize(ctx, PeerIdentity.fromSslSession(session));
            } catch (RuntimeException e) {
                refuse(ctx, GoAwayCode.IDENTITY_REFUSED, "certificate names no node: " + e.getMessage());
            }
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
        if (refused || peer == null) {
            frame.release();
            return;
        }
        if (!(frame instanceof Hello hello)) {
            frame.release();
            refuse(ctx, GoAwayCode.PROTOCOL_ERROR, "sent " + frame.type() + " before HELLO");
            return;
        }
        ProtocolVersions theirs;
        try {
            theirs = new ProtocolVersions(hello.minVersion(), hello.maxVersion());
        } catch (IllegalArgumentException e) {
            refuse(ctx, GoAwayCode.PROTOCOL_ERROR, "HELLO with " + e.getMessage());
            return;
        }
        OptionalInt version = config.versions().negotiate(theirs);
        if (version.isEmpty()) {
            refuse(
                    ctx,
                    GoAwayCode.VERSION_MISMATCH,
                    "protocol versions do not overlap: " + config.nodeName()
                            + " speaks " + config.versions() + ", the peer (" + hello.software() + ") speaks " + theirs
                            + "; upgrade the older side");
            return;
        }
        long features = hello.features() & Feature.offeredMask(config.features());
        timeout.cancel(false);
        ctx.writeAndFlush(new HelloAck(version.getAsInt(), features, Software.NAME));
        OffloadConnection connection =
                ConnectionInstaller.install(ctx, config, metrics, false, peer, version.getAsInt(), features);
        log.info(
                "accepted {} from {} (protocol {}, features {})",
                peer,
                io.dpuoffload.transport.net.Addresses.describe(ctx.channel().remoteAddress()),
                version.getAsInt(),
                Feature.fromMask(features));
        onConnected.accept(connection);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        refuse(ctx, null, Failures.describe(cause));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timeout != null) {
            timeout.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    private void authorize(ChannelHandlerContext ctx, PeerIdentity identity) {
        if (!config.peerPolicy().test(identity)) {
            refuse(ctx, GoAwayCode.IDENTITY_REFUSED, identity + " is not allowed to connect to " + config.nodeName());
            return;
        }
        peer = identity;
    }

    /** Logs the refusal once, tells the peer why when it can (after TLS), and closes. */
    private void refuse(ChannelHandlerContext ctx, GoAwayCode code, String reason) {
        if (refused) {
            return;
        }
        refused = true;
        if (timeout != null) {
            timeout.cancel(false);
        }
        metrics.peerRefused();
        log.warn(
                "refused peer {}{}: {}",
                io.dpuoffload.transport.net.Addresses.describe(ctx.channel().remoteAddress()),
                peer == null ? "" : " (" + peer + ")",
                reason);
        if (code != null && ctx.channel().isActive()) {
            ctx.writeAndFlush(new GoAway(code, reason)).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }
}
