package io.dpuoffload.transport.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** Several clients of one node (a DPU agent has one per share) are counted together, none lost. */
class TransportMetricsTest {
    @Test
    void clientsOfOneNodeShareTheirActiveConnectionsGauge() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TransportMetrics first = new TransportMetrics(registry, "client", "dpu-1");
        TransportMetrics second = new TransportMetrics(registry, "client", "dpu-1");
        first.connectionOpened();
        second.connectionOpened();
        second.connectionOpened();
        first.connectionClosed();
        assertThat(registry.get("dpuoffload.transport.connections.active")
                        .tag("node", "dpu-1")
                        .gauge()
                        .value())
                .isEqualTo(2.0);
        assertThat(registry.get("dpuoffload.transport.connections.opened")
                        .counter()
                        .count())
                .isEqualTo(3.0);
    }
}
