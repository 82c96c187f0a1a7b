package io.dpuoffload.transport;

import io.dpuoffload.transport.frame.FrameDecoder;
import io.dpuoffload.transport.frame.FrameEncoder;
import io.dpuoffload.transport.metrics.FrameCounter;
import io.dpuoffload.transport.metrics.TransportMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every connection's pipeline, both sides: TLS → frame decoder/encoder → counters → handshake. The
 * handshake replaces itself with heartbeat and multiplexer once it succeeds.
 */
final class PipelineInitializer extends ChannelInitializer<Channel> {
    private static final Logger log = LoggerFactory.getLogger(PipelineInitializer.class);

    private final TransportConfig config;
    private final TransportMetrics metrics;
    private final Supplier<ChannelHandler> handshake;

    PipelineInitializer(TransportConfig config, TransportMetrics metrics, Supplier<ChannelHandler> handshake) {
        this.config = config;
        this.metrics = metrics;
        this.handshake = handshake;
    }

    @Override
    protected void initChannel(Channel channel) {
        var pipeline = channel.pipeline();
        if (config.tls() != null) {
            // Asked per connection: a renewed certificate reaches new connections, not established ones.
            pipeline.addLast("tls", config.tls().current().newHandler(channel.alloc()));
        }
        pipeline.addLast("decoder", new FrameDecoder((ctx, reason) -> {
            metrics.protocolError();
            log.warn(
                    "closing the connection with {}: {}",
                    io.dpuoffload.transport.net.Addresses.describe(ctx.channel().remoteAddress()),
                    reason);
        }));
        pipeline.addLast("encoder", new FrameEncoder());
        pipeline.addLast("counter", new FrameCounter(metrics));
        pipeline.addLast("handshake", handshake.get());
    }

    /** Refuses configurations that would send cleartext over a network. */
    static void checkSecurity(TransportConfig config, io.dpuoffload.transport.net.Endpoint endpoint) {
        boolean network = !(endpoint instanceof io.dpuoffload.transport.net.Endpoint.Unix);
        if (network && config.tls() == null) {
            if (!config.insecurePlaintext()) {
                throw new IllegalArgumentException(endpoint + " needs TLS: give the node a certificate (offloadctl "
                        + "certs issue) or use a unix: endpoint for local use");
            }
            log.warn(
                    "{}: running WITHOUT TLS on {} (insecurePlaintext): no authentication, no encryption",
                    config.nodeName(),
                    endpoint);
        }
    }
}
