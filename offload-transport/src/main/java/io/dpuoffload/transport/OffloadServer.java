package io.dpuoffload.transport;

import io.dpuoffload.transport.handshake.ServerHandshake;
import io.dpuoffload.transport.metrics.TransportMetrics;
import io.dpuoffload.transport.net.ChannelTypes;
import io.dpuoffload.transport.net.Endpoint;
import io.dpuoffload.transport.net.EventLoops;
import io.dpuoffload.transport.net.VsockSockets;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accepting side of the channel (the host, usually). Every accepted peer goes through mutual
 * TLS and the handshake before its first request is served.
 */
public final class OffloadServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OffloadServer.class);

    private final Endpoint endpoint;
    private final Channel listener;
    private final TransportMetrics metrics;
    private final Set<OffloadConnection> connections;

    private OffloadServer(
            Endpoint endpoint, Channel listener, TransportMetrics metrics, Set<OffloadConnection> connections) {
        this.endpoint = endpoint;
        this.listener = listener;
        this.metrics = metrics;
        this.connections = connections;
    }

    /** Listens on {@code endpoint}; {@code onConnected} is told of each peer once handshaken. */
    public static OffloadServer start(
            Endpoint endpoint, TransportConfig config, Consumer<OffloadConnection> onConnected)
            throws IOException, InterruptedException {
        PipelineInitializer.checkSecurity(config, endpoint);
        TransportMetrics metrics = new TransportMetrics(config.meters(), "server", config.nodeName());
        Set<OffloadConnection> connections = ConcurrentHashMap.newKeySet();
        Consumer<OffloadConnection> track = connection -> {
            connections.add(connection);
            connection.closeFuture().whenComplete((reason, e) -> connections.remove(connection));
            onConnected.accept(connection);
        };
        var bootstrap = new ServerBootstrap()
                .group(EventLoops.shared())
                .childHandler(new PipelineInitializer(
                        config, metrics, () -> new ServerHandshake(config, metrics, config.tls() != null, track)));
        Channel listener;
        if (endpoint instanceof Endpoint.Vsock vsock) {
            EpollServerSocketChannel channel = VsockSockets.listen(vsock);
            bootstrap.channelFactory(() -> channel);
            listener = bind(bootstrap.register(), endpoint);
        } else {
            if (endpoint instanceof Endpoint.Unix unix) {
                removeStaleSocket(unix);
            } else {
                bootstrap.option(ChannelOption.SO_REUSEADDR, true);
            }
            bootstrap.channel(ChannelTypes.server(endpoint));
            listener = bind(bootstrap.bind(endpoint.socketAddress()), endpoint);
        }
        OffloadServer server = new OffloadServer(endpoint, listener, metrics, connections);
        log.info(
                "{} listening on {}{}",
                config.nodeName(),
                server.boundEndpoint(),
                config.tls() != null ? " (mutual TLS 1.3)" : "");
        return server;
    }

    /** The endpoint actually bound (with the kernel's port when 0 was asked for). */
    public Endpoint boundEndpoint() {
        SocketAddress local = listener.localAddress();
        if (endpoint instanceof Endpoint.Tcp tcp && local instanceof InetSocketAddress inet) {
            return new Endpoint.Tcp(tcp.host(), inet.getPort());
        }
        return endpoint;
    }

    public Set<OffloadConnection> connections() {
        return Set.copyOf(connections);
    }

    public TransportMetrics metrics() {
        return metrics;
    }

    /** Stops listening and closes every connection, telling each peer this side is shutting down. */
    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        connections.forEach(OffloadConnection::close);
        for (OffloadConnection connection : connections) {
            connection
                    .closeFuture()
                    .copy()
                    .completeOnTimeout("timed out", 2, TimeUnit.SECONDS)
                    .join();
        }
        if (endpoint instanceof Endpoint.Unix unix) {
            try {
                Files.deleteIfExists(unix.path());
            } catch (IOException e) {
                log.warn("could not remove socket file {}: {}", unix.path(), e.getMessage());
            }
        }
    }

    private static Channel bind(io.netty.channel.ChannelFuture future, Endpoint endpoint)
            throws IOException, InterruptedException {
        future.await();
        if (!future.isSuccess()) {
            throw new IOException(
                    "cannot listen on " + endpoint + ": " + future.cause().getMessage(), future.cause());
        }
        return future.channel();
    }

    /** A socket file left by a crashed server would make bind fail; remove it if nobody listens. */
    private static void removeStaleSocket(Endpoint.Unix unix) throws IOException {
        if (!Files.exists(unix.path())) {
            return;
        }
        try (var probe = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            probe.connect(java.net.UnixDomainSocketAddress.of(unix.path()));
            throw new IOException("another server already listens on " + unix + "; stop it or choose another path");
        } catch (java.net.ConnectException stale) {
            Files.delete(unix.path());
        }
    }
}
