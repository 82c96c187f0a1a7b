package io.dpuoffload.transport.net;

import io.netty.channel.Channel;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;

/** The epoll channel classes for each kind of endpoint. */
public final class ChannelTypes {

    public static Class<? extends ServerChannel> server(Endpoint endpoint) {
        return switch (endpoint) {
            case Endpoint.Tcp _ -> EpollServerSocketChannel.class;
            case Endpoint.Unix _ -> EpollServerDomainSocketChannel.class;
            case Endpoint.Vsock _ -> throw new IllegalArgumentException("vsock listeners are set up by VsockSockets");
        };
    }

    public static Class<? extends Channel> client(Endpoint endpoint) {
        return switch (endpoint) {
            case Endpoint.Tcp _ -> EpollSocketChannel.class;
            case Endpoint.Unix _ -> EpollDomainSocketChannel.class;
            case Endpoint.Vsock _ -> throw new IllegalArgumentException("vsock connections are set up by VsockSockets");
        };
    }

    private ChannelTypes() {}
}
