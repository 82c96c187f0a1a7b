package io.dpuoffload.transport.handshake;

import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.frame.FrameEncoder;
import io.dpuoffload.transport.liveness.Heartbeat;
import io.dpuoffload.transport.metrics.TransportMetrics;
import io.dpuoffload.transport.mux.Multiplexer;
import io.dpuoffload.transport.mux.MuxSettings;
import io.dpuoffload.transport.tls.PeerIdentity;
import io.netty.channel.ChannelHandlerContext;

/** Turns a handshaken channel into a connection: liveness and multiplexing replace the handshake. */
final class ConnectionInstaller {

    static OffloadConnection install(
            ChannelHandlerContext ctx,
            TransportConfig config,
            TransportMetrics metrics,
            boolean initiator,
            PeerIdentity peer,
            int version,
            long features) {
        ctx.pipeline().get(FrameEncoder.class).useVersion(version);
        Heartbeat heartbeat = Heartbeat.create(config.peerTimeout());
        Multiplexer mux = new Multiplexer(new MuxSettings(
                initiator,
                peer,
                version,
                features,
                config.services(),
                config.handlerExecutor(),
                config.maxConcurrentStreams(),
                config.streamWindowBytes(),
                metrics));
        ctx.pipeline()
                .addBefore(
                        ctx.name(), "idle", Heartbeat.idleDetector(config.heartbeatInterval(), config.peerTimeout()));
        ctx.pipeline().addBefore(ctx.name(), "heartbeat", heartbeat);
        ctx.pipeline().replace(ctx.name(), "mux", mux);
        metrics.connectionOpened();
        return new OffloadConnection(ctx.channel(), mux, heartbeat, config.requestTimeout());
    }

    private ConnectionInstaller() {}
}
