package io.dpuoffload.e2e.kube;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * Runs on a test node: the API server at the node's own loopback ({@code 127.0.0.1:PORT} in its
 * network namespace), forwarded to a Unix socket that the test serves from the root namespace. A
 * Unix socket is a file, so it crosses network namespaces without any address between them: the
 * namespaces never reach the root namespace's loopback, and the root namespace never connects to a
 * namespace address.
 *
 * <p>{@code ApiForwarder PORT SOCKET}; prints {@code listening} once it accepts.
 */
public final class ApiForwarder {
    private ApiForwarder() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path socket = Path.of(args[1]);
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            System.out.println("listening");
            System.out.flush();
            while (true) {
                SocketChannel client = listener.accept();
                try {
                    SocketChannel server = SocketChannel.open(StandardProtocolFamily.UNIX);
                    server.connect(UnixDomainSocketAddress.of(socket));
                    Splice.start(client, server);
                } catch (java.io.IOException e) {
                    // The test's side refuses while it plays an unreachable API server.
                    Splice.closeQuietly(client);
                }
            }
        }
    }
}
