package io.dpuoffload.bench.ipc;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Unix socket server every bridge ends at: on each connection it sends {@link #READY}, reads one mode byte, then
 * either sinks ({@link #STREAM}: counts bytes to end of file and answers the count as 8 bytes) or echoes ({@link
 * #ECHO}: sends back what it reads, until end of file). One platform thread per connection, blocking: the fewest
 * hand-offs a server can have, so the columns differ only by the bridge.
 */
final class SinkServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SinkServer.class);

    static final byte READY = 'R';
    static final byte STREAM = 'S';
    static final byte ECHO = 'E';

    /** One read; the client writes as much at a time. */
    static final int BUFFER_BYTES = 256 * 1024;

    /** The benchmark uses one connection at a time; a few more are a leftover closing. Beyond, refused. */
    private static final int MAX_CONNECTIONS = 16;

    private final ServerSocketChannel server;
    private final Path socket;
    private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);

    private SinkServer(ServerSocketChannel server, Path socket) {
        this.server = server;
        this.socket = socket;
    }

    /** Binds {@code socket} (replacing a stale file) and accepts on a thread of its own. */
    static SinkServer start(Path socket) throws IOException {
        Files.deleteIfExists(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        SinkServer sink = new SinkServer(server, socket);
        Thread.ofPlatform().daemon().name("sink-accept").start(sink::acceptLoop);
        return sink;
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel connection;
            try {
                connection = server.accept();
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                log.warn("accepting on {} failed: {}", socket, e.getMessage());
                return;
            }
            if (!slots.tryAcquire()) {
                log.warn("{} connections at once on {}; closing a new one", MAX_CONNECTIONS, socket);
                closeQuietly(connection);
                continue;
            }
            Thread.ofPlatform().daemon().name("sink-connection").start(() -> {
                try (connection) {
                    serve(connection);
                } catch (IOException e) {
                    log.debug("a connection on {} ended: {}", socket, e.getMessage());
                } finally {
                    slots.release();
                }
            });
        }
    }

    private static void serve(SocketChannel connection) throws IOException {
        writeFully(connection, ByteBuffer.wrap(new byte[] {READY}));
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
        buffer.limit(1);
        if (connection.read(buffer) != 1) {
            return;
        }
        byte mode = buffer.get(0);
        buffer.clear();
        switch (mode) {
            case STREAM -> {
                long received = 0;
                for (int n = connection.read(buffer); n >= 0; n = connection.read(buffer)) {
                    received += n;
                    buffer.clear();
                }
                writeFully(connection, ByteBuffer.allocate(Long.BYTES).putLong(0, received));
            }
            case ECHO -> {
                for (int n = connection.read(buffer); n >= 0; n = connection.read(buffer)) {
                    buffer.flip();
                    writeFully(connection, buffer);
                    buffer.clear();
                }
            }
            default -> log.warn("unknown mode byte {}; closing the connection", mode);
        }
    }

    static void writeFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closed either way
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }
}
