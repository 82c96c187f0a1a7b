package io.dpuoffload.transport;

import static io.dpuoffload.transport.Harness.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dpuoffload.transport.diagnostics.Diagnostics;
import io.dpuoffload.transport.handshake.ServerHandshake;
import io.dpuoffload.transport.tls.PeerIdentity;
import io.netty.handler.ssl.SslContextBuilder;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The channel over loopback TCP: who gets in, who is refused, and what both sides are told. */
class MutualTlsTest {
    private final Harness harness;
    private final LogCapture serverLog = new LogCapture(ServerHandshake.class);

    MutualTlsTest() throws Exception {
        harness = new Harness(Harness.Kind.TCP_MUTUAL_TLS);
    }

    @AfterEach
    void tearDown() throws Exception {
        serverLog.close();
        harness.close();
    }

    @Test
    void peersWithCertificatesFromTheSameCaTalkAndKnowEachOther() throws Exception {
        OffloadServer server = harness.startHost();
        OffloadConnection connection =
                harness.connect(server, harness.dpuConfig().build());

        assertThat(text(connection.request(Diagnostics.ECHO, text("hello host")).get()))
                .isEqualTo("hello host");
        assertThat(connection.peer()).isEqualTo(PeerIdentity.node(Pki.HOST, Optional.of("pair-a")));
        assertThat(connection.protocolVersion()).isEqualTo(1);
        assertThat(connection.features()).containsExactly(Feature.DIAGNOSTICS, Feature.NOTICES);
        assertThat(connection.offers(Feature.DIAGNOSTICS)).isTrue();
        assertThat(connection.offers(Harness.HOST_ONLY)).isFalse();
        await().until(() -> server.connections().size() == 1);
        assertThat(server.connections().iterator().next().peer())
                .isEqualTo(PeerIdentity.node(Pki.DPU, Optional.of("pair-a")));
        assertThat(harness.meter("dpuoffload.transport.frames", "client")).isPositive();
        assertThat(harness.meters
                        .find("dpuoffload.transport.request.latency")
                        .tag("role", "client")
                        .timer()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void clientCertificateFromAnotherCaIsRefusedBeforeAnyRequest() throws Exception {
        OffloadServer server = harness.startHost();
        Pki stranger = new Pki();
        var config =
                harness.dpuConfig().tls(stranger.client(stranger.node(Pki.DPU))).build();

        assertRefused(server, config, "certificate");
    }

    @Test
    void expiredClientCertificateIsRefused() throws Exception {
        OffloadServer server = harness.startHost();
        var config = harness.dpuConfig()
                .tls(harness.pki.client(harness.pki.expired(Pki.DPU)))
                .build();

        assertRefused(server, config, "certificate");
        assertThat(serverLog.lines()).anySatisfy(line -> assertThat(line).containsIgnoringCase("valid"));
    }

    @Test
    void clientWithoutCertificateIsRefused() throws Exception {
        OffloadServer server = harness.startHost();
        var noCertificate = SslContextBuilder.forClient()
                .protocols("TLSv1.3")
                .trustManager(harness.pki.ca.certificate())
                .endpointIdentificationAlgorithm(null) // nodes are named, not resolved
                .build();

        assertRefused(server, harness.dpuConfig().tls(noCertificate).build(), "certificate");
    }

    @Test
    void clientRefusesAServerWithAnotherCasCertificate() throws Exception {
        Pki stranger = new Pki();
        OffloadServer server = harness.startHost(
                harness.hostConfig()
                        .tls(stranger.server(stranger.node(Pki.HOST)))
                        .build(),
                harness.listenEndpoint());

        assertThatThrownBy(() -> harness.connect(server, harness.dpuConfig().build()))
                .hasCauseInstanceOf(HandshakeException.class)
                .hasMessageContaining("certificate");
        // The server learns of the refusal a moment later and logs it; wait, so that the line
        // lands in this test's log and not in the next test's.
        await().atMost(Duration.ofSeconds(5)).until(() -> serverLog.lines().stream()
                .anyMatch(line -> line.contains("the peer refused this side's certificate")));
    }

    @Test
    void clientRefusesAServerThatIsNotTheExpectedNode() throws Exception {
        OffloadServer server = harness.startHost();

        assertThatThrownBy(() -> harness.connect(
                        server, harness.dpuConfig().expectPeer("host-2").build()))
                .hasCauseInstanceOf(HandshakeException.class)
                .hasMessageContaining("node host-1 (pair pair-a), which this side is not configured to talk to");
    }

    @Test
    void serverRefusesAPeerItsPolicyDoesNotAllow() throws Exception {
        OffloadServer server =
                harness.startHost(harness.hostConfig().expectPeer("dpu-7").build(), harness.listenEndpoint());

        assertRefused(server, harness.dpuConfig().build(), "not allowed to connect");
    }

    @Test
    void versionMismatchIsExplainedOnBothSides() throws Exception {
        OffloadServer server = harness.startHost();
        var config = harness.dpuConfig().versions(new ProtocolVersions(2, 3)).build();

        assertRefused(server, config, "protocol versions do not overlap: host-1 speaks 1, the peer");
        assertThat(serverLog.lines()).anySatisfy(line -> assertThat(line)
                .contains("WARN refused peer 127.0.0.1:")
                .contains("speaks 2..3; upgrade the older side"));
    }

    private void assertRefused(OffloadServer server, TransportConfig config, String reason) {
        assertThatThrownBy(() -> OffloadClient.connectOnce(server.boundEndpoint(), config)
                        .join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOf(HandshakeException.class)
                .hasMessageContaining(reason);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> harness.meter("dpuoffload.transport.peers.refused", "server") == 1);
        assertThat(serverLog.lines())
                .filteredOn(line -> line.startsWith("WARN refused peer 127.0.0.1:"))
                .hasSize(1);
        assertThat(harness.requestsServed).hasValue(0);
        assertThat(server.connections()).isEmpty();
    }
}
