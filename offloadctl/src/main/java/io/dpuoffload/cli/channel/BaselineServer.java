package io.dpuoffload.cli.channel;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plain TCP server of the benchmark's baseline (see {@link BaselineProtocol}): blocking java.net sockets, one
 * virtual thread per connection, no TLS, no framing. Written the way a user would write it.
 */
final class BaselineServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BaselineServer.class);

    private final ServerSocket listener;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Semaphore slots = new Semaphore(BaselineProtocol.MAX_CONNECTIONS);
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong bytesReceived = new AtomicLong();

    private BaselineServer(ServerSocket listener) {
        this.listener = listener;
    }

    static BaselineServer start(InetSocketAddress address) throws IOException {
        ServerSocket listener = new ServerSocket();
        listener.setReuseAddress(true);
        try {
            listener.bind(address);
        } catch (IOException e) {
            listener.close();
            throw new IOException("cannot listen on " + address + " for the plain TCP baseline: " + e.getMessage(), e);
        }
        BaselineServer server = new BaselineServer(listener);
        Thread.ofVirtual().name("baseline-accept").start(server::acceptLoop);
        log.info("plain TCP baseline (no TLS, for benchmarks only) listening on {}", server.address());
        return server;
    }

    InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    long connections() {
        return connections.get();
    }

    long bytesReceived() {
        return bytesReceived.get();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    log.warn("baseline: accept failed: {}", e.getMessage());
                }
                return;
            }
            if (!slots.tryAcquire()) {
                log.warn(
                        "baseline: refusing {}: {} connections already open",
                        socket.getRemoteSocketAddress(),
                        BaselineProtocol.MAX_CONNECTIONS);
                closeQuietly(socket);
                continue;
            }
            connections.incrementAndGet();
            open.add(socket);
            Thread.ofVirtual().name("baseline-" + socket.getPort()).start(() -> {
                try {
                    serve(socket);
                } catch (IOException e) {
                    if (!listener.isClosed()) {
                        log.warn(
                                "baseline: connection from {} failed: {}",
                                socket.getRemoteSocketAddress(),
                                e.getMessage());
                    }
                } finally {
                    open.remove(socket);
                    closeQuietly(socket);
                    slots.release();
                }
            });
        }
    }

    private void serve(Socket socket) throws IOException {
        socket.setTcpNoDelay(true);
        var in = new DataInputStream(socket.getInputStream());
        OutputStream out = socket.getOutputStream();
        int mode = in.read();
        switch (mode) {
            case -1 -> {}
            case BaselineProtocol.ECHO -> echo(in, out);
            case BaselineProtocol.SINK -> sink(in, new DataOutputStream(out));
            default ->
                log.warn("baseline: {} sent unknown mode byte {}; closing", socket.getRemoteSocketAddress(), mode);
        }
    }

    private void echo(DataInputStream in, OutputStream out) throws IOException {
        int size = in.readInt();
        if (size < 1 || size > BaselineProtocol.MAX_ECHO_BYTES) {
            throw new IOException("echo message size " + size + " is outside 1.." + BaselineProtocol.MAX_ECHO_BYTES);
        }
        byte[] message = new byte[size];
        while (in.readNBytes(message, 0, size) == size) {
            bytesReceived.addAndGet(size);
            out.write(message);
        }
    }

    private void sink(InputStream in, DataOutputStream out) throws IOException {
        byte[] buffer = new byte[BaselineProtocol.CHUNK_BYTES];
        long total = 0;
        for (int n; (n = in.read(buffer)) >= 0; ) {
            total += n;
        }
        bytesReceived.addAndGet(total);
        out.writeLong(total);
        out.flush();
    }

    @Override
    public void close() {
        closeQuietly(listener);
        open.forEach(BaselineServer::closeQuietly);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            if (!(e instanceof SocketException)) {
                log.debug("baseline: closing {}: {}", closeable, e.getMessage());
            }
        }
    }
}
