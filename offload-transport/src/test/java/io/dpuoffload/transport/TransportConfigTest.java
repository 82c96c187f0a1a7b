package io.dpuoffload.transport;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpuoffload.transport.net.Endpoint;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TransportConfigTest {

    @Test
    void aPeerTimeoutShorterThanTwoHeartbeatsWouldKillLivePeers() {
        assertThatThrownBy(() -> TransportConfig.builder("n")
                        .heartbeatInterval(Duration.ofSeconds(2))
                        .peerTimeout(Duration.ofSeconds(3))
                        .build())
                .hasMessageContaining("must be at least twice the heartbeatInterval");
    }

    @Test
    void tcpWithoutTlsIsRefusedUnlessExplicitlyInsecure() {
        var config = TransportConfig.builder("host-1").build();
        assertThatThrownBy(() -> OffloadServer.start(new Endpoint.Tcp("127.0.0.1", 0), config, c -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs TLS: give the node a certificate (offloadctl certs issue)");
    }
}
