package io.dpuoffload.agent.dpu;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * Any daemon's health, as a client sees it: something accepts a connection at its socket (a path
 * in the root, reached from outside it).
 */
final class SocketHealth implements HealthProbe {
    private final Path socket;

    SocketHealth(Path socketInRoot, Path root) {
        this.socket = root.resolve(socketInRoot.toString().substring(1));
    }

    @Override
    public String target() {
        return socket.toString();
    }

    @Override
    public String check() throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return "accepts connections";
        }
    }
}
