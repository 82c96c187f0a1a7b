package io.dpuoffload.transport.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.VSockAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What can be tested of vsock on a machine without a vsock transport (like CI): sockets are
 * created, bound and listen; a connect fails fast with an error that says what is missing.
 */
class VsockSocketsTest {

    @Test
    void aListenerReallyHoldsItsPort() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/vsock")), "this kernel has no AF_VSOCK (/dev/vsock is missing)");
        var endpoint = new Endpoint.Vsock(
                VSockAddress.VMADDR_CID_ANY,
                40_000 + (int) (ProcessHandle.current().pid() % 20_000));
        var listener = VsockSockets.listen(endpoint);
        try {
            assertThat(listener.isOpen()).isTrue();
            assertThatThrownBy(() -> VsockSockets.listen(endpoint))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("cannot listen on " + endpoint);
        } finally {
            listener.unsafe().closeForcibly();
        }
    }

    @Test
    void connectingWithoutATransportFailsFastAndSaysWhy() {
        assumeTrue(Files.exists(Path.of("/dev/vsock")), "this kernel has no AF_VSOCK (/dev/vsock is missing)");
        long start = System.nanoTime();
        assertThatThrownBy(() -> VsockSockets.connect(
                        new Endpoint.Vsock(VSockAddress.VMADDR_CID_HOST, 9), Duration.ofSeconds(2)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot connect to vsock://2:9")
                .hasMessageContaining("does this machine have a vsock transport");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }
}
