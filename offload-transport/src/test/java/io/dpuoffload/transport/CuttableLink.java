package io.dpuoffload.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback between the DPU side and the host side of a channel, which a test can
 * cut: {@link #reset} closes every connection through it at once (both sides see the loss, as when
 * a peer's connection is forced down); {@link #goSilent} drops every byte and every new connection
 * while the connections stay up (a cut link: both sides notice only by their heartbeat timeout),
 * until {@link #restore}; {@link #resetDpuSide} closes only the DPU's end of every connection, the
 * host's staying open and silent (the DPU reconnects while the host still holds the old one).
 */
public final class CuttableLink implements AutoCloseable {
    private final ServerSocket listener;
    private volatile int targetPort;
    private volatile boolean silent;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /** Host-side sockets whose DPU side was reset: left open, carrying nothing. */
    private final List<Socket> orphans = new CopyOnWriteArrayList<>();

    public CuttableLink(int targetPort) throws IOException {
        this.targetPort = targetPort;
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("cuttable-link").start(this::acceptLoop);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Where new connections go from now on (a host side that restarted elsewhere). */
    public void target(int port) {
        targetPort = port;
    }

    /** Closes every connection through the link now (with a reset); new ones go through. */
    public void reset() {
        for (Socket socket : sockets) {
            try {
                socket.setSoLinger(true, 0);
                socket.close();
            } catch (IOException ignored) {
                // closed already
            }
        }
        sockets.clear();
    }

    /** Closes the DPU's end of every connection (with a reset); the host's ends stay open, silent. */
    public void resetDpuSide() {
        for (int i = 0; i + 1 < sockets.size(); i += 2) {
            orphans.add(sockets.get(i + 1));
        }
        for (int i = 0; i < sockets.size(); i += 2) {
            Socket client = sockets.get(i);
            try {
                client.setSoLinger(true, 0);
                client.close();
            } catch (IOException ignored) {
                // closed already
            }
        }
        sockets.clear();
    }

    /** Drops everything from now on, the connections staying open: a cut link. */
    public void goSilent() {
        silent = true;
    }

    /** Ends a cut: what is still open carries bytes again, and new connections go through. */
    public void restore() {
        silent = false;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                if (silent) {
                    client.setSoLinger(true, 0);
                    client.close(); // nothing gets through a cut link
                    continue;
                }
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(server);
                pump(client, server);
                pump(server, client);
            } catch (IOException e) {
                if (listener.isClosed()) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread.ofVirtual().start(() -> {
            byte[] buffer = new byte[64 * 1024];
            try {
                // Not closed by a try-with-resources: closing a socket's stream closes the socket,
                // and an orphan must stay open.
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    if (!silent) {
                        out.write(buffer, 0, n);
                    }
                }
            } catch (IOException ignored) {
                // either side went away
            } finally {
                if (!orphans.contains(from)) {
                    closeQuietly(from);
                }
                if (!orphans.contains(to)) {
                    closeQuietly(to);
                }
            }
        });
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed already
        }
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
    }

    @Override
    public void close() throws IOException {
        listener.close();
        reset();
        orphans.forEach(CuttableLink::closeQuietly);
    }
}
