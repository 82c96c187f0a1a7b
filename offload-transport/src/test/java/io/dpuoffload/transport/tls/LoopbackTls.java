package io.dpuoffload.transport.tls;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;

/**
 * A TLS server and client on 127.0.0.1 with nothing but an {@link SslHandler} in their pipelines:
 * the smallest setup that shows what the contexts accept and refuse.
 */
final class LoopbackTls implements AutoCloseable {

    static final long TIMEOUT_SECONDS = 10;

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final List<Channel> channels = new ArrayList<>();

    /** One end of a connection. */
    record End(Channel channel, SslHandler ssl) {
        /** Waits for the handshake and tells whether it succeeded. */
        boolean handshakeSucceeded() throws InterruptedException {
            return ssl.handshakeFuture().await(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    && ssl.handshakeFuture().isSuccess();
        }

        Throwable handshakeFailure() throws InterruptedException {
            ssl.handshakeFuture().await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return ssl.handshakeFuture().cause();
        }

        boolean closes() throws InterruptedException {
            return channel.closeFuture().await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }

        SSLSession session() {
            return ssl.engine().getSession();
        }
    }

    record Connection(End server, End client) {}

    /** Listens with {@code server}, connects with {@code client} and returns both ends. */
    Connection connect(SslContext server, SslContext client) throws Exception {
        CompletableFuture<End> serverEnd = new CompletableFuture<>();
        Channel listener = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        SslHandler ssl = server.newHandler(channel.alloc());
                        channel.pipeline().addLast(ssl, new CloseOnError());
                        serverEnd.complete(new End(channel, ssl));
                    }
                })
                .bind(LOOPBACK, 0)
                .sync()
                .channel();
        channels.add(listener);
        int port = ((InetSocketAddress) listener.localAddress()).getPort();

        // Kept as the initializer makes it: a handshake refused at once closes the channel, whose
        // pipeline then no longer holds the handler by the time connect() returns.
        CompletableFuture<SslHandler> clientSsl = new CompletableFuture<>();
        Channel clientChannel = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        // Dialled by address, as the channel does: proves no host name check happens.
                        SslHandler ssl = client.newHandler(channel.alloc(), LOOPBACK.getHostAddress(), port);
                        channel.pipeline().addLast(ssl, new CloseOnError());
                        clientSsl.complete(ssl);
                    }
                })
                .connect(LOOPBACK, port)
                .sync()
                .channel();
        channels.add(clientChannel);
        End clientEnd = new End(clientChannel, clientSsl.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        return new Connection(serverEnd.get(TIMEOUT_SECONDS, TimeUnit.SECONDS), clientEnd);
    }

    @Override
    public void close() {
        channels.forEach(Channel::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Handshake failures are the expected outcome of half the tests: close quietly, log nothing. */
    private static final class CloseOnError extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            context.close();
        }
    }
}
