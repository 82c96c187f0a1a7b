package io.dpuoffload.transport.net;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.LinuxSocket;
import java.io.IOException;
import java.time.Duration;

/**
 * AF_VSOCK sockets through Netty's {@link LinuxSocket}: Netty 4.2 can create, bind and connect vsock
 * sockets but has no vsock channel class, so the sockets are made here and handed to the epoll
 * stream channels by file descriptor, where the byte transport is the same as for TCP.
 *
 * <p>Limits: machines without a vsock transport (no vhost-vsock, no loopback, as on our CI) can
 * create and bind these sockets but never connect them; the connect and accept paths are therefore
 * not exercised by the tests, only set-up, bind and the connect error.
 */
public final class VsockSockets {

    /** Pending connections the kernel queues for a vsock listener. */
    private static final int BACKLOG = 128;

    /** A bound, listening vsock socket wrapped as a server channel (not yet registered). */
    public static EpollServerSocketChannel listen(Endpoint.Vsock endpoint) throws IOException {
        Epoll.ensureAvailability(); // loads the native library LinuxSocket calls into
        LinuxSocket socket = LinuxSocket.newVSockStream();
        try {
            socket.bindVSock(endpoint.socketAddress());
            socket.listen(BACKLOG);
            return new EpollServerSocketChannel(socket.intValue());
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw new IOException("cannot listen on " + endpoint + ": " + e.getMessage(), e);
        }
    }

    /**
     * Connects a vsock socket, waiting at most {@code timeout}, and wraps it as a stream channel (not
     * yet registered). Blocks: call from a virtual thread.
     */
    public static EpollSocketChannel connect(Endpoint.Vsock endpoint, Duration timeout)
            throws IOException, InterruptedException {
        Epoll.ensureAvailability();
        LinuxSocket socket = LinuxSocket.newVSockStream();
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            boolean connected = socket.connectVSock(endpoint.socketAddress());
            while (!connected) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException("timed out after " + timeout.toMillis() + " ms");
                }
                Thread.sleep(5); // connect is in progress; a vsock connect is local and short
                connected = socket.finishConnect();
            }
            return new EpollSocketChannel(socket.intValue());
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw new IOException(
                    "cannot connect to " + endpoint + ": " + e.getMessage()
                            + " (does this machine have a vsock transport, e.g. vhost-vsock or a DPU's virtio-vsock?)",
                    e);
        }
    }

    private VsockSockets() {}
}
