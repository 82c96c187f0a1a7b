package io.dpuoffload.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {

    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String SUBJECT_ALTERNATIVE_NAME = "2.5.29.17";

    private final CertificateAuthority ca = TestPki.newCa("test CA");

    @Test
    void newCaIsSelfSignedP256AndMaySignOnlyEndEntities() throws Exception {
        X509Certificate certificate = ca.certificate();

        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=test CA");
        assertThat(certificate.getIssuerX500Principal()).isEqualTo(certificate.getSubjectX500Principal());
        certificate.verify(certificate.getPublicKey());
        assertThat(certificate.getBasicConstraints()).as("CA:true, pathlen 0").isZero();
        boolean[] keyUsage = certificate.getKeyUsage();
        assertThat(keyUsage[5]).as("keyCertSign").isTrue();
        assertThat(keyUsage[6]).as("cRLSign").isTrue();
        assertThat(keyUsage[0]).as("digitalSignature").isFalse();
        assertThat(certificate.getCriticalExtensionOIDs()).contains("2.5.29.19", "2.5.29.15");
        assertThat(((ECPublicKey) certificate.getPublicKey())
                        .getParams()
                        .getCurve()
                        .getField()
                        .getFieldSize())
                .isEqualTo(256);
        assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(certificate.getNotAfter().toInstant())
                .isEqualTo(TestPki.NOW.plus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS));
    }

    @Test
    void issuedCertificateChainsToTheCaAndNamesTheNodeAndPair() throws Exception {
        X509Certificate issued = TestPki.node(ca, "dpu-01.rack3", "pair-7").certificate();

        assertChainsTo(issued, ca.certificate());
        assertThat(issued.getSubjectAlternativeNames())
                .containsExactlyInAnyOrder(List.of(2, "dpu-01.rack3"), List.of(6, "urn:dpuoffload:pair:pair-7"));
        assertThat(issued.getExtendedKeyUsage()).containsExactlyInAnyOrder(SERVER_AUTH, CLIENT_AUTH);
        assertThat(issued.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        assertThat(issued.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(issued.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(issued.getSubjectX500Principal().getName()).isEqualTo("CN=dpu-01.rack3");
        assertThat(issued.getSerialNumber().signum()).isPositive();
        assertThat(issued.getSerialNumber().bitLength()).isLessThanOrEqualTo(128);
        assertThat(TestPki.node(ca, "dpu-01.rack3", null).certificate().getSerialNumber())
                .isNotEqualTo(issued.getSerialNumber());
    }

    @Test
    void withoutPairIdTheCertificateCarriesOnlyTheNodeName() throws Exception {
        X509Certificate issued = TestPki.node(ca, "host-01", null).certificate();

        assertThat(issued.getSubjectAlternativeNames()).containsExactly(List.of(2, "host-01"));
        assertThat(NodeIdentity.fromCertificate(issued)).isEqualTo(new NodeIdentity("host-01", Optional.empty()));
    }

    @Test
    void nameTooLongForACommonNameLeavesTheSubjectEmptyAndMakesTheNamesCritical() throws Exception {
        String longName = "a".repeat(60) + "." + "b".repeat(60);
        X509Certificate issued = TestPki.node(ca, longName, null).certificate();

        assertThat(issued.getSubjectX500Principal().getName()).isEmpty();
        assertThat(issued.getCriticalExtensionOIDs()).contains(SUBJECT_ALTERNATIVE_NAME);
        assertChainsTo(issued, ca.certificate());
        assertThat(NodeIdentity.fromCertificate(issued).nodeName()).isEqualTo(longName);
    }

    @Test
    void refusesNodeNamesThatAreNotDns1123Subdomains() {
        for (String bad : List.of("Host-01", "host_01", "-host", "host-", "a..b", "../etc", "", "a".repeat(254))) {
            assertThatThrownBy(() -> TestPki.node(ca, bad, null))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("node name '" + bad + "' is not valid")
                    .hasMessageContaining("lowercase letters, digits, '-' and '.'")
                    .hasMessageContaining("DNS-1123");
        }
    }

    @Test
    void refusesPairIdsThatAreNotDns1123Subdomains() {
        assertThatThrownBy(() -> TestPki.node(ca, "host-01", "Pair 7"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pair id 'Pair 7' is not valid");
    }

    @Test
    void refusesACertificateThatWouldOutliveTheCa() {
        assertThatThrownBy(() -> ca.issueNode(
                        "host-01", Optional.empty(), TestPki.NOW, ca.expiry().plus(Duration.ofDays(1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("would outlive its CA");
    }

    @Test
    void refusesAnEmptyValidity() {
        assertThatThrownBy(() -> ca.issueNode("host-01", Optional.empty(), TestPki.NOW, TestPki.NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must end after it starts");
    }

    @Test
    void reloadedCaIsTheSameAndIssuesCertificatesThatChainToIt(@TempDir Path dir) throws Exception {
        Path certificateFile = dir.resolve("ca.crt");
        Path keyFile = dir.resolve("ca.key");
        PemFiles.writeCertificate(certificateFile, ca.certificate(), false);
        PemFiles.writePrivateKey(keyFile, ca.privateKey(), false);

        CertificateAuthority reloaded = CertificateAuthority.load(certificateFile, keyFile);

        assertThat(reloaded.certificate()).isEqualTo(ca.certificate());
        assertChainsTo(TestPki.node(reloaded, "host-01", null).certificate(), ca.certificate());
    }

    @Test
    void loadRefusesAKeyThatIsNotTheCas(@TempDir Path dir) {
        Path certificateFile = dir.resolve("ca.crt");
        Path keyFile = dir.resolve("ca.key");
        PemFiles.writeCertificate(certificateFile, ca.certificate(), false);
        PemFiles.writePrivateKey(keyFile, TestPki.newCa("other CA").privateKey(), false);

        assertThatThrownBy(() -> CertificateAuthority.load(certificateFile, keyFile))
                .isInstanceOf(TlsFileException.class)
                .hasMessageStartingWith(keyFile + ": is not the key of the CA certificate " + certificateFile)
                .extracting(e -> ((TlsFileException) e).file())
                .isEqualTo(keyFile);
    }

    @Test
    void loadRefusesANodeCertificateInPlaceOfTheCa(@TempDir Path dir) {
        NodeCredentials node = TestPki.node(ca, "host-01", null);
        Path certificateFile = dir.resolve("ca.crt");
        Path keyFile = dir.resolve("ca.key");
        PemFiles.writeCertificate(certificateFile, node.certificate(), false);
        PemFiles.writePrivateKey(keyFile, node.privateKey(), false);

        assertThatThrownBy(() -> CertificateAuthority.load(certificateFile, keyFile))
                .isInstanceOf(TlsFileException.class)
                .hasMessageContaining("not a CA certificate");
    }

    @Test
    void toStringNeverShowsTheKey() {
        assertThat(ca.toString()).contains("CN=test CA").doesNotContainIgnoringCase("private");
        assertThat(TestPki.node(ca, "host-01", null).toString()).doesNotContainIgnoringCase("private");
    }

    static void assertChainsTo(X509Certificate certificate, X509Certificate ca) throws Exception {
        var parameters = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        parameters.setRevocationEnabled(false);
        var path = CertificateFactory.getInstance("X.509").generateCertPath(List.of(certificate));
        assertThatCode(() -> CertPathValidator.getInstance("PKIX").validate(path, parameters))
                .doesNotThrowAnyException();
    }
}
