package io.dpuoffload.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsFilesTest {

    private static final CertificateAuthority CA = TestPki.newCa("test CA");

    @TempDir
    Path dir;

    @Test
    void aNodeDirectoryHoldsTheCaCertificateAndTheNodesFiles() {
        assertThat(TlsFiles.inDirectory(dir, "dpu-01"))
                .isEqualTo(new TlsFiles(dir.resolve("ca.crt"), dir.resolve("dpu-01.crt"), dir.resolve("dpu-01.key")));
    }

    @Test
    void aNodeNameCannotLeaveTheDirectory() {
        assertThatThrownBy(() -> TlsFiles.inDirectory(dir, "../../etc/passwd"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DNS-1123");
    }

    @Test
    void loadsAMatchingSet() {
        NodeCredentials node = TestPki.node(CA, "dpu-01", "pair-7");
        TlsFiles files = write(CA, node, "dpu-01");

        TlsMaterial material = files.load();

        assertThat(material.trustedCas()).containsExactly(CA.certificate());
        assertThat(material.node().certificate()).isEqualTo(node.certificate());
        assertThat(material.identity()).isEqualTo(new NodeIdentity("dpu-01", Optional.of("pair-7")));
    }

    @Test
    void aCaBundleOfOldAndNewTrustsBothAndTakesACertificateFromEither() throws Exception {
        CertificateAuthority next = TestPki.newCa("next CA");
        NodeCredentials node = TestPki.node(next, "dpu-01", null);
        TlsFiles files = write(CA, node, "dpu-01");
        Files.writeString(files.caCertificate(), Pem.certificates(List.of(CA.certificate(), next.certificate())));

        assertThat(files.load().trustedCas()).containsExactly(CA.certificate(), next.certificate());
    }

    @Test
    void aBundleWithANodeCertificateInItIsRefused() throws Exception {
        NodeCredentials node = TestPki.node(CA, "dpu-01", null);
        TlsFiles files = write(CA, node, "dpu-01");
        Files.writeString(files.caCertificate(), Pem.certificates(List.of(CA.certificate(), node.certificate())));

        assertThatThrownBy(files::load)
                .isInstanceOf(TlsFileException.class)
                .hasMessageStartingWith(files.caCertificate() + ": 'CN=dpu-01' is not a CA certificate");
    }

    @Test
    void aMissingCaCertificateIsNamedFirst() {
        TlsFiles files = TlsFiles.inDirectory(dir, "dpu-01");

        assertThatThrownBy(files::load)
                .isInstanceOf(TlsFileException.class)
                .hasMessageStartingWith(dir.resolve("ca.crt") + ": no such file — copy ca.crt from the machine");
    }

    @Test
    void aMissingNodeCertificateSaysHowToIssueIt() {
        TlsFiles files = write(CA, TestPki.node(CA, "dpu-01", null), "dpu-01");
        files = new TlsFiles(files.caCertificate(), dir.resolve("dpu-02.crt"), files.privateKey());

        assertThatThrownBy(files::load)
                .isInstanceOf(TlsFileException.class)
                .hasMessage(dir.resolve("dpu-02.crt") + ": no such file — create it with"
                        + " `offloadctl certs issue --node dpu-02 --dir " + dir + "`");
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() {
        CertificateAuthority other = TestPki.newCa("other CA");
        TlsFiles files = write(CA, TestPki.node(other, "dpu-01", null), "dpu-01");

        assertThatThrownBy(files::load)
                .isInstanceOf(TlsFileException.class)
                .hasMessageStartingWith(files.certificate() + ": was not issued by the CA in " + files.caCertificate())
                .hasMessageContaining("CN=other CA");
    }

    @Test
    void aKeyFromAnotherIssueIsRefused() {
        TlsFiles files = write(CA, TestPki.node(CA, "dpu-01", null), "dpu-01");
        PemFiles.writePrivateKey(
                files.privateKey(), TestPki.node(CA, "dpu-01", null).privateKey(), true);

        assertThatThrownBy(files::load)
                .isInstanceOf(TlsFileException.class)
                .hasMessageStartingWith(files.privateKey() + ": is not the key of " + files.certificate());
    }

    @Test
    void anExpiredCertificateIsRefusedWithTheDate() {
        NodeCredentials expired = TestPki.expiredNode(CA, "dpu-01");
        TlsFiles files = write(CA, expired, "dpu-01");

        assertThatThrownBy(files::load)
                .isInstanceOf(TlsFileException.class)
                .hasMessageStartingWith(files.certificate() + ": expired on "
                        + expired.certificate().getNotAfter().toInstant())
                .hasMessageContaining("--force` and restart");
    }

    private TlsFiles write(CertificateAuthority ca, NodeCredentials node, String nodeName) {
        TlsFiles files = TlsFiles.inDirectory(dir, nodeName);
        PemFiles.writeCertificate(files.caCertificate(), ca.certificate(), true);
        PemFiles.writeCertificate(files.certificate(), node.certificate(), true);
        PemFiles.writePrivateKey(files.privateKey(), node.privateKey(), true);
        return files;
    }
}
