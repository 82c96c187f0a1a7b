package io.dpuoffload.transport;

import io.dpuoffload.transport.handshake.ClientHandshake;
import io.dpuoffload.transport.metrics.TransportMetrics;
import io.dpuoffload.transport.net.ChannelTypes;
import io.dpuoffload.transport.net.Endpoint;
import io.dpuoffload.transport.net.VsockSockets;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import java.util.concurrent.CompletableFuture;

/** One connection attempt: connect, TLS, handshake. */
final class Connector {

    static CompletableFuture<OffloadConnection> connect(
            Endpoint endpoint, TransportConfig config, TransportMetrics metrics) {
        PipelineInitializer.checkSecurity(config, endpoint);
        CompletableFuture<OffloadConnection> result = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap()
                .group(config.eventLoops())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        config.connectTimeout().toMillis())
                .handler(new PipelineInitializer(
                        config, metrics, () -> new ClientHandshake(config, metrics, config.tls() != null, result)));
        if (endpoint instanceof Endpoint.Vsock vsock) {
            Thread.ofVirtual().name("vsock-connect").start(() -> {
                try {
                    var channel = VsockSockets.connect(vsock, config.connectTimeout());
                    bootstrap.channelFactory(() -> channel).register().addListener(f -> failIfNot(f, endpoint, result));
                } catch (Exception e) {
                    result.completeExceptionally(new ConnectionLostException(e.getMessage(), e));
                }
            });
        } else {
            bootstrap.channel(ChannelTypes.client(endpoint));
            ChannelFuture connect = bootstrap.connect(endpoint.socketAddress());
            connect.addListener(f -> failIfNot(f, endpoint, result));
        }
        return result;
    }

    private static void failIfNot(
            io.netty.util.concurrent.Future<?> future, Endpoint endpoint, CompletableFuture<OffloadConnection> result) {
        if (!future.isSuccess()) {
            String cause =
                    switch (future.cause()) {
                        case java.io.FileNotFoundException _ -> "no such socket file (is the server running?)";
                        case Throwable t when t.getMessage() != null -> t.getMessage();
                        case Throwable t -> t.getClass().getSimpleName();
                    };
            result.completeExceptionally(
                    new ConnectionLostException("cannot connect to " + endpoint + ": " + cause, future.cause()));
        }
    }

    private Connector() {}
}
