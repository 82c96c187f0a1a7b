package io.dpuoffload.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The operator's side: a CA and node credentials as the text of Kubernetes Secrets, no files. */
class CaPemTest {

    private static final Instant NOW = Instant.parse("2026-12-07T06:00:00Z");
    private static final CaPem CA = CaPem.create(CaPem.DEFAULT_COMMON_NAME, NOW);

    @Test
    void aNewCaLastsTheDefaultTenYearsFromJustBeforeNow() {
        var certificate = CA.authority().certificate();

        assertThat(certificate.getNotBefore().toInstant()).isEqualTo(NOW.minus(Validity.CLOCK_SKEW_ALLOWANCE));
        assertThat(CA.notAfter()).isEqualTo(NOW.plus(Validity.CA_DEFAULT));
        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=dpu-offload CA");
    }

    @Test
    void theSecretHoldsTheFileNamesOfOffloadctlCertsInitAndReadsBack() {
        Map<String, String> data = CA.secretData();

        assertThat(data).containsOnlyKeys("ca.crt", "ca.key");
        assertThat(data.get("ca.crt")).startsWith("-----BEGIN CERTIFICATE-----\n");
        assertThat(data.get("ca.key")).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(CaPem.fromSecretData(data)).isEqualTo(CA);
    }

    @Test
    void aSecretWithoutTheKeyOrWithAnotherCasKeyIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> CaPem.fromSecretData(Map.of("ca.crt", CA.certificate())))
                .isInstanceOf(PemException.class)
                .hasMessageStartingWith("ca.key: missing from the Secret (it holds [ca.crt])");

        Map<String, String> mixed = new HashMap<>(CA.secretData());
        mixed.put("ca.key", CaPem.create("other CA", NOW).privateKey());
        assertThatThrownBy(() -> CaPem.fromSecretData(mixed))
                .isInstanceOf(PemException.class)
                .hasMessageContaining("not the key of the CA certificate");

        mixed.put("ca.key", "garbage");
        assertThatThrownBy(() -> CaPem.fromSecretData(mixed))
                .isInstanceOf(PemException.class)
                .hasMessageStartingWith("ca.key: not a PEM private key");
    }

    @Test
    void issuesANinetyDayNodeCertificateThatChainsToTheCa() throws Exception {
        NodePem node = CA.issue("dpu-01", Optional.of("rack3-07"), NOW);
        TlsMaterial material = node.material();
        var certificate = material.node().certificate();

        assertThat(material.identity()).isEqualTo(new NodeIdentity("dpu-01", Optional.of("rack3-07")));
        assertThat(certificate.getNotAfter().toInstant()).isEqualTo(NOW.plus(Validity.NODE_DEFAULT));
        assertThat(material.trustedCas()).containsExactly(CA.authority().certificate());
        CertificateAuthorityTest.assertChainsTo(certificate, CA.authority().certificate());
        assertThat(node.notAfter()).isEqualTo(NOW.plus(Validity.NODE_DEFAULT));
    }

    @Test
    void aCaNearItsEndIssuesCertificatesThatEndWithIt() {
        CaPem ending = CaPem.create("ending CA", NOW, Duration.ofDays(30));

        assertThat(ending.issue("host-01", Optional.empty(), NOW).notAfter()).isEqualTo(ending.notAfter());
    }

    @Test
    void anExpiredCaIssuesNothing() {
        CaPem ca = CaPem.create("short CA", NOW, Duration.ofDays(1));

        assertThatThrownBy(() -> ca.issue("host-01", Optional.empty(), NOW.plus(Duration.ofDays(2))))
                .hasMessageContaining("expired")
                .hasMessageContaining("create a new CA");
    }

    @Test
    void toStringShowsNoKey() {
        assertThat(CA.toString()).doesNotContain("PRIVATE");
        assertThat(CA.issue("host-01", Optional.empty(), NOW).toString()).doesNotContain("PRIVATE");
    }
}
