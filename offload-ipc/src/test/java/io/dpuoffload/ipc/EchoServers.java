package io.dpuoffload.ipc;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.SocketName;
import io.dpuoffload.linux.UnixSockets;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/** Test servers: a stream echo (the JDK's Unix sockets) and a seqpacket echo (message by message). */
final class EchoServers {
    /** Echoes every byte; at end of input, shuts down its output, so the client sees the half-close come back. */
    static ServerSocketChannel stream(Path path) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Thread.ofVirtual().start(() -> {
            while (server.isOpen()) {
                try {
                    SocketChannel client = server.accept();
                    Thread.ofVirtual().start(() -> echo(client));
                } catch (IOException e) {
                    return;
                }
            }
        });
        return server;
    }

    private static void echo(SocketChannel client) {
        try (client) {
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            while (client.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    client.write(buffer);
                }
                buffer.clear();
            }
            client.shutdownOutput();
        } catch (IOException ignored) {
            // the client went away
        }
    }

    /** Echoes each message as one message, on a platform thread polling its non-blocking socket. */
    static int seqpacket(Path path) throws Exception {
        int listener = UnixSockets.socket(UnixSockets.SOCK_SEQPACKET);
        UnixSockets.listen(listener, SocketName.path(path.toString()), 16);
        Thread.ofPlatform().daemon().start(() -> {
            try (Arena arena = Arena.ofShared()) {
                MemorySegment buffer = arena.allocate(256 * 1024);
                int client;
                while ((client = UnixSockets.accept(listener)) == -Errno.EAGAIN) {
                    Thread.sleep(1);
                }
                if (client < 0) {
                    return;
                }
                while (true) {
                    long n = UnixSockets.recv(client, buffer, buffer.byteSize(), 0);
                    if (n == -Errno.EAGAIN) {
                        Thread.sleep(1);
                        continue;
                    }
                    if (n <= 0) {
                        FileCalls.close(client);
                        return;
                    }
                    while (UnixSockets.send(client, buffer, n) == -Errno.EAGAIN) {
                        Thread.sleep(1);
                    }
                }
            } catch (Exception e) {
                // the test is over
            }
        });
        return listener;
    }

    private EchoServers() {}
}
