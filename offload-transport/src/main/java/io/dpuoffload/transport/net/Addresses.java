package io.dpuoffload.transport.net;

import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** Socket addresses as operators read them in logs: "198.51.100.2:41234", "unix:/run/x.sock". */
public final class Addresses {

    public static String describe(SocketAddress address) {
        return switch (address) {
            case null -> "an unknown address";
            case InetSocketAddress inet ->
                (inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString()) + ":"
                        + inet.getPort();
            case DomainSocketAddress unix
            when unix.path() == null || unix.path().isEmpty() -> "a Unix socket";
            case DomainSocketAddress unix -> "unix:" + unix.path();
            default -> address.toString();
        };
    }

    private Addresses() {}
}
