package io.dpuoffload.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.pki.CertificateAuthority;
import io.dpuoffload.pki.NodeCredentials;
import io.dpuoffload.pki.PemFiles;
import io.dpuoffload.pki.TestPki;
import io.dpuoffload.pki.TlsFiles;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real TLS handshakes over loopback sockets, with the contexts the channel uses. */
class TlsHandshakeTest {

    private static final CertificateAuthority CA = TestPki.newCa("test CA");
    private static final CertificateAuthority OTHER_CA = TestPki.newCa("other CA");

    /**
     * Same name as the real CA, different key. A client only offers a certificate whose issuer is
     * one the server named as trusted, so this is the CA whose certificate actually reaches the
     * server's check.
     */
    private static final CertificateAuthority IMPOSTOR_CA = TestPki.newCa("test CA");

    private final LoopbackTls loopback = new LoopbackTls();
    private final SslContext server =
            TlsContexts.forServer(TestPki.material(CA, TestPki.node(CA, "host-01", "pair-7")));

    @AfterEach
    void close() {
        loopback.close();
    }

    @Test
    void nodesOfOneCaShakeHandsOverTls13AndLearnEachOthersIdentity(@TempDir Path dir) throws Exception {
        TlsFiles hostFiles = write(dir.resolve("host"), "host-01", "pair-7");
        TlsFiles dpuFiles = write(dir.resolve("dpu"), "dpu-01", "pair-7");

        var connection = loopback.connect(TlsContexts.forServer(hostFiles), TlsContexts.forClient(dpuFiles));

        assertThat(connection.server().handshakeSucceeded()).isTrue();
        assertThat(connection.client().handshakeSucceeded()).isTrue();
        assertThat(PeerIdentity.fromSslSession(connection.server().session()))
                .isEqualTo(PeerIdentity.node("dpu-01", Optional.of("pair-7")));
        assertThat(PeerIdentity.fromSslSession(connection.client().session()))
                .isEqualTo(PeerIdentity.node("host-01", Optional.of("pair-7")));
        assertThat(connection.server().session().getProtocol()).isEqualTo("TLSv1.3");
        assertThat(connection.client().session().getProtocol()).isEqualTo("TLSv1.3");
    }

    @Test
    void aClientCertificateFromAnotherCaIsRefused() throws Exception {
        // The client trusts the server, so the refusal can only come from the server.
        SslContext client = TlsContexts.forClient(TestPki.material(CA, TestPki.node(IMPOSTOR_CA, "dpu-01", null)));

        assertRefusedByServer(loopback.connect(server, client), "PKIX path");
    }

    @Test
    void anExpiredClientCertificateIsRefused() throws Exception {
        SslContext client = TlsContexts.forClient(TestPki.material(CA, TestPki.expiredNode(CA, "dpu-01")));

        assertRefusedByServer(loopback.connect(server, client), "validity check failed");
    }

    @Test
    void aClientWithoutCertificateIsRefused() throws Exception {
        SslContext client = SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .protocols(TlsContexts.TLS_1_3)
                .trustManager(CA.certificate())
                .endpointIdentificationAlgorithm(null)
                .build();

        // The JDK says "Empty client certificate chain", BoringSSL "PEER_DID_NOT_RETURN_A_CERTIFICATE".
        assertRefusedByServer(
                loopback.connect(server, client), "(Empty client certificate chain|PEER_DID_NOT_RETURN_A_CERTIFICATE)");
    }

    @Test
    void aServerCertificateFromAnotherCaIsRefusedByTheClient() throws Exception {
        SslContext impostor = TlsContexts.forServer(TestPki.material(CA, TestPki.node(OTHER_CA, "host-01", null)));
        SslContext client = TlsContexts.forClient(TestPki.material(CA, TestPki.node(CA, "dpu-01", null)));

        var connection = loopback.connect(impostor, client);

        assertThat(connection.client().handshakeFailure()).isInstanceOf(SSLHandshakeException.class);
        assertThat(causeChain(connection.client().handshakeFailure()))
                .contains("unable to find valid certification path");
        assertThat(connection.server().handshakeSucceeded()).isFalse();
    }

    /**
     * In TLS 1.3 the client may consider its side done before the server has judged its
     * certificate, so what counts is that the server refuses, for the expected reason, and the
     * connection closes.
     */
    private static void assertRefusedByServer(LoopbackTls.Connection connection, String reason) throws Exception {
        assertThat(connection.server().handshakeFailure()).isInstanceOf(SSLHandshakeException.class);
        // Whichever provider runs (BoringSSL when it loads, else the JDK's), the reason is in the chain.
        assertThat(causeChain(connection.server().handshakeFailure())).containsPattern(reason);
        assertThat(connection.client().closes()).as("client connection closed").isTrue();
    }

    private static String causeChain(Throwable failure) {
        StringBuilder messages = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append(" | ");
        }
        return messages.toString();
    }

    private static TlsFiles write(Path dir, String nodeName, String pairId) throws Exception {
        Files.createDirectories(dir);
        TlsFiles files = TlsFiles.inDirectory(dir, nodeName);
        NodeCredentials node = TestPki.node(CA, nodeName, pairId);
        PemFiles.writeCertificate(files.caCertificate(), CA.certificate(), false);
        PemFiles.writeCertificate(files.certificate(), node.certificate(), false);
        PemFiles.writePrivateKey(files.privateKey(), node.privateKey(), false);
        return files;
    }
}
