package io.dpuoffload.intercept;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalListenersTest {
    @TempDir
    Path dir;

    @Test
    void aPathIsListenedAtWhileItsListenerIsOpen() throws Exception {
        Path path = dir.resolve("listener.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            assertThat(LocalListeners.listensAt(path.toString())).isTrue();
            assertThat(LocalListeners.listensAt(dir.resolve("other.sock").toString()))
                    .isFalse();
        }
        assertThat(LocalListeners.listensAt(path.toString())).isFalse();
    }
}
