package io.dpuoffload.transport.net;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;

/**
 * Where a side listens or connects:
 *
 * <ul>
 *   <li>{@code tcp://HOST:PORT} (or just {@code HOST:PORT}): TCP, mutual TLS by default;
 *   <li>{@code unix:/PATH}: a Unix domain socket, same framing, for local use and tests;
 *   <li>{@code vsock://CID:PORT}: AF_VSOCK between a host and a device or VM ({@code CID} may be
 *       {@code any}, {@code host}, {@code local} or a number).
 * </ul>
 */
public sealed interface Endpoint permits Endpoint.Tcp, Endpoint.Unix, Endpoint.Vsock {

    /** TCP ports are 16-bit; 0 asks the kernel for a free one (listeners only). */
    int MAX_PORT = 0xFFFF;

    SocketAddress socketAddress();

    record Tcp(String host, int port) implements Endpoint {
        public Tcp {
            if (port < 0 || port > MAX_PORT) {
                throw new IllegalArgumentException("TCP port " + port + " is outside 0.." + MAX_PORT);
            }
        }

        @Override
        public InetSocketAddress socketAddress() {
            return new InetSocketAddress(host, port);
        }

        @Override
        public String toString() {
            return "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    record Unix(Path path) implements Endpoint {
        @Override
        public io.netty.channel.unix.DomainSocketAddress socketAddress() {
            return new io.netty.channel.unix.DomainSocketAddress(path.toString());
        }

        @Override
        public String toString() {
            return "unix:" + path;
        }
    }

    record Vsock(int cid, int port) implements Endpoint {
        @Override
        public io.netty.channel.epoll.VSockAddress socketAddress() {
            return new io.netty.channel.epoll.VSockAddress(cid, port);
        }

        @Override
        public String toString() {
            return "vsock://" + Integer.toUnsignedString(cid) + ":" + Integer.toUnsignedString(port);
        }
    }

    /** Parses an endpoint; the error names the accepted forms. */
    static Endpoint parse(String text) {
        return EndpointParser.parse(text);
    }
}
