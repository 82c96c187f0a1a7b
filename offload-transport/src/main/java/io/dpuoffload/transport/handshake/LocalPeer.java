package io.dpuoffload.transport.handshake;

import io.dpuoffload.transport.tls.PeerIdentity;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import java.io.IOException;

/** The identity of a peer on a connection without TLS: its uid on a Unix socket. */
final class LocalPeer {

    static PeerIdentity of(Channel channel) {
        if (channel instanceof EpollDomainSocketChannel unix) {
            try {
                return PeerIdentity.local("uid:" + unix.peerCredentials().uid());
            } catch (IOException e) {
                return PeerIdentity.local("unix peer (credentials unavailable: " + e.getMessage() + ")");
            }
        }
        return PeerIdentity.local("unauthenticated " + channel.remoteAddress());
    }

    private LocalPeer() {}
}
