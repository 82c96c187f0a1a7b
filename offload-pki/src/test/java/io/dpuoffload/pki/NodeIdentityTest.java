package io.dpuoffload.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodeIdentityTest {

    private static final CertificateAuthority CA = TestPki.newCa("test CA");

    @Test
    void aNodeCertificateGivesTheNodeNameAndPair() {
        NodeIdentity identity = NodeIdentity.fromCertificate(
                TestPki.node(CA, "dpu-01", "pair-7").certificate());

        assertThat(identity).isEqualTo(new NodeIdentity("dpu-01", Optional.of("pair-7")));
        assertThat(identity).hasToString("node dpu-01 (pair pair-7)");
    }

    @Test
    void aCertificateWithoutADnsNameNamesNoNode() {
        assertThatThrownBy(() -> NodeIdentity.fromCertificate(CA.certificate()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("certificate 'CN=test CA' names no node")
                .hasMessageContaining("offloadctl certs issue --node NAME");
    }

    @Test
    void namesFollowTheRule() {
        assertThatThrownBy(() -> new NodeIdentity("Bad Name", Optional.empty())).hasMessageContaining("DNS-1123");
        assertThatThrownBy(() -> new NodeIdentity("dpu-01", Optional.of("Pair 7")))
                .hasMessageContaining("pair id 'Pair 7'");
    }
}
