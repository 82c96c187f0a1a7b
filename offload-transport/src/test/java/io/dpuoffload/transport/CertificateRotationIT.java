package io.dpuoffload.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dpuoffload.pki.CaPem;
import io.dpuoffload.pki.NodePem;
import io.dpuoffload.transport.net.Endpoint;
import io.dpuoffload.transport.tls.ReloadingTlsContext;
import io.dpuoffload.transport.tls.SecretVolume;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificates renewed under running nodes, the way the operator renews them: new files in each
 * node's mounted Secret, swapped in by one rename. A host and a DPU over loopback TCP with mutual
 * TLS keep a connection open throughout; every new connection must show the new certificates (by
 * serial, both ways) and the old connection must keep working.
 */
class CertificateRotationIT {
    private static final String HOST = "host-01";
    private static final String DPU = "dpu-01";
    private static final Optional<String> PAIR = Optional.of("pair-7");
    private static final int ECHO = 1;

    /** Short, so the test is quick; production checks every {@link ReloadingTlsContext#DEFAULT_CHECK_INTERVAL}. */
    private static final Duration CHECK_INTERVAL = Duration.ofMillis(100);

    /** Bounds each wait for a change to show, far above the interval, so a failure is a failure. */
    private static final Duration SHOWS_WITHIN = Duration.ofSeconds(15);

    private static final Instant NOW = Instant.now();
    private final CaPem ca = CaPem.create("test CA", NOW);

    @TempDir
    Path dir;

    private final BlockingQueue<OffloadConnection> accepted = new LinkedBlockingQueue<>();
    private SecretVolume hostSecret;
    private SecretVolume dpuSecret;
    private OffloadServer server;
    private TransportConfig dpuConfig;

    @BeforeEach
    void startTheHost() throws Exception {
        hostSecret = SecretVolume.create(
                dir.resolve("host"), ca.issue(HOST, PAIR, NOW).secretData());
        dpuSecret =
                SecretVolume.create(dir.resolve("dpu"), ca.issue(DPU, PAIR, NOW).secretData());
        var meters = new SimpleMeterRegistry();
        TransportConfig hostConfig = TransportConfig.builder(HOST)
                .tlsSource(
                        ReloadingTlsContext.of(hostSecret.files(HOST), ReloadingTlsContext.Side.SERVER, CHECK_INTERVAL))
                .services(Services.builder()
                        .onRequest(ECHO, (context, body) -> body.retain())
                        .build())
                .meters(meters)
                .build();
        server = OffloadServer.start(new Endpoint.Tcp("127.0.0.1", 0), hostConfig, accepted::add);
        dpuConfig = TransportConfig.builder(DPU)
                .tlsSource(
                        ReloadingTlsContext.of(dpuSecret.files(DPU), ReloadingTlsContext.Side.CLIENT, CHECK_INTERVAL))
                .expectPeer(HOST)
                .meters(meters)
                .build();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aRenewedCertificateFromTheSameCaReachesNewConnectionsAndTheOpenOneKeepsWorking() throws Exception {
        Pair open = connect();
        BigInteger hostBefore = serial(open.dpuSide().peerCertificate());
        BigInteger dpuBefore = serial(open.hostSide().peerCertificate());

        NodePem host = ca.issue(HOST, PAIR, NOW);
        NodePem dpu = ca.issue(DPU, PAIR, NOW);
        hostSecret.update(host.secretData());
        dpuSecret.update(dpu.secretData());

        awaitNewConnectionsPresent(serialOf(host), serialOf(dpu));
        assertStillWorks(open, hostBefore, dpuBefore);
    }

    @Test
    void aNewCaIsIntroducedThroughABundleWithoutBreakingAnyConnection() throws Exception {
        Pair open = connect();
        BigInteger hostBefore = serial(open.dpuSide().peerCertificate());
        BigInteger dpuBefore = serial(open.hostSide().peerCertificate());
        CaPem next = CaPem.create("next CA", NOW);
        List<X509Certificate> both =
                List.of(ca.authority().certificate(), next.authority().certificate());

        // Step 1: the host moves to the new CA while the DPU still has a certificate from the old one:
        // each must trust both for the next connection to work.
        NodePem host = next.issue(HOST, PAIR, NOW).withCaBundle(both);
        NodePem dpuOldCa = NodePem.fromSecretData(DPU, dpuSecret.read()).withCaBundle(both);
        dpuSecret.update(dpuOldCa.secretData());
        hostSecret.update(host.secretData());
        awaitNewConnectionsPresent(serialOf(host), serialOf(dpuOldCa));

        // Step 2: the DPU moves to the new CA too.
        NodePem dpu = next.issue(DPU, PAIR, NOW).withCaBundle(both);
        dpuSecret.update(dpu.secretData());
        awaitNewConnectionsPresent(serialOf(host), serialOf(dpu));

        assertStillWorks(open, hostBefore, dpuBefore);
    }

    /** A connection seen from both ends. */
    private record Pair(OffloadConnection dpuSide, OffloadConnection hostSide) {}

    private Pair connect() throws Exception {
        accepted.clear(); // what an earlier, failed try left behind
        OffloadConnection dpuSide = OffloadClient.connectOnce(server.boundEndpoint(), dpuConfig)
                .get(SHOWS_WITHIN.toSeconds(), TimeUnit.SECONDS);
        OffloadConnection hostSide = accepted.poll(SHOWS_WITHIN.toSeconds(), TimeUnit.SECONDS);
        assertThat(hostSide).as("the host saw the connection").isNotNull();
        return new Pair(dpuSide, hostSide);
    }

    /**
     * Connects again and again until a connection shows both new certificates. The connection
     * that makes a side check its files still gets the old context, so this takes a few tries.
     */
    private void awaitNewConnectionsPresent(BigInteger hostSerial, BigInteger dpuSerial) {
        await().atMost(SHOWS_WITHIN).pollInterval(CHECK_INTERVAL).untilAsserted(() -> {
            Pair probe = connect();
            try {
                assertThat(serial(probe.dpuSide().peerCertificate()))
                        .as("the host's certificate on a new connection")
                        .isEqualTo(hostSerial);
                assertThat(serial(probe.hostSide().peerCertificate()))
                        .as("the DPU's certificate on a new connection")
                        .isEqualTo(dpuSerial);
            } finally {
                probe.dpuSide().close();
            }
        });
    }

    /** The open connection still answers, and still runs on the certificates it began with. */
    private void assertStillWorks(Pair open, BigInteger hostSerial, BigInteger dpuSerial) throws Exception {
        assertThat(open.dpuSide().isOpen()).isTrue();
        ByteBuf answer = open.dpuSide()
                .request(ECHO, Harness.text("still here"))
                .get(SHOWS_WITHIN.toSeconds(), TimeUnit.SECONDS);
        assertThat(Harness.text(answer)).as("released by text()").isEqualTo("still here");
        assertThat(serial(open.dpuSide().peerCertificate())).isEqualTo(hostSerial);
        assertThat(serial(open.hostSide().peerCertificate())).isEqualTo(dpuSerial);
    }

    private static BigInteger serial(Optional<X509Certificate> certificate) {
        return certificate.orElseThrow().getSerialNumber();
    }

    private static BigInteger serialOf(NodePem node) {
        return node.material().node().certificate().getSerialNumber();
    }
}
