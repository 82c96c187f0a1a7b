package io.dpuoffload.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpuoffload.pki.CertificateAuthority;
import io.dpuoffload.pki.TestPki;
import io.dpuoffload.transport.HandshakeException;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;

class PeerIdentityTest {

    private static final CertificateAuthority CA = TestPki.newCa("test CA");

    @Test
    void aNodeCertificateGivesTheNodeNameAndPair() {
        PeerIdentity identity = PeerIdentity.fromCertificate(
                TestPki.node(CA, "dpu-01", "pair-7").certificate());

        assertThat(identity.kind()).isEqualTo(PeerIdentity.Kind.NODE);
        assertThat(identity.name()).isEqualTo("dpu-01");
        assertThat(identity.pairId()).contains("pair-7");
        assertThat(identity).hasToString("node dpu-01 (pair pair-7)");
    }

    @Test
    void aCertificateWithoutADnsNameNamesNoNode() {
        assertThatThrownBy(() -> PeerIdentity.fromCertificate(CA.certificate()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("certificate 'CN=test CA' names no node")
                .hasMessageContaining("offloadctl certs issue --node NAME");
    }

    @Test
    void aLocalPeerIsDescribedByItsCredentialsAndHasNoPair() {
        PeerIdentity local = PeerIdentity.local("uid:0");

        assertThat(local.kind()).isEqualTo(PeerIdentity.Kind.LOCAL);
        assertThat(local.isNode()).isFalse();
        assertThat(local.name()).isEqualTo("uid:0");
        assertThat(local.pairId()).isEmpty();
        assertThat(local).hasToString("local uid:0");
        assertThat(local).isNotEqualTo(PeerIdentity.node("uid-0", Optional.empty()));
    }

    @Test
    void aLocalDescriptionCanNeitherForgeNorFloodALogLine() {
        assertThat(PeerIdentity.local("uid:0\nINFO forged line").name()).isEqualTo("uid:0?INFO forged line");
        assertThat(PeerIdentity.local("x".repeat(1000)).name())
                .hasSize(PeerIdentity.MAX_LOCAL_DESCRIPTION_LENGTH)
                .endsWith("...");
        assertThatThrownBy(() -> PeerIdentity.local(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PeerIdentity(PeerIdentity.Kind.LOCAL, "uid:0\n", Optional.empty()))
                .hasMessageContaining("printable ASCII");
        assertThatThrownBy(() -> new PeerIdentity(PeerIdentity.Kind.LOCAL, "uid:0", Optional.of("pair-7")))
                .hasMessageContaining("belongs to no pair");
    }

    @Test
    void aNodeIdentityFollowsTheNamingRule() {
        assertThatThrownBy(() -> PeerIdentity.node("Bad Name", Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DNS-1123");
    }

    @Test
    void aSessionWithoutPeerCertificateIsAHandshakeFailure() throws Exception {
        // An engine that has not shaken hands yet has a session with no peer.
        SSLSession session = SSLContext.getDefault().createSSLEngine().getSession();

        assertThatThrownBy(() -> PeerIdentity.fromSslSession(session))
                .isInstanceOf(HandshakeException.class)
                .hasMessageContaining("presented no verified certificate");
    }
}
