package io.dpuoffload.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PemTest {

    private static final CertificateAuthority CA = TestPki.newCa("test CA");
    private static final CertificateAuthority OTHER = TestPki.newCa("other CA");

    @Test
    void certificatesAndKeysRoundTrip() {
        assertThat(Pem.readCertificate(Pem.certificate(CA.certificate()))).isEqualTo(CA.certificate());
        assertThat(Pem.readPrivateKey(Pem.privateKey(CA.privateKey())).getEncoded())
                .isEqualTo(CA.privateKey().getEncoded());
    }

    @Test
    void aBundleReadsBackInOrderButIsNotOneCertificate() {
        String bundle = Pem.certificates(List.of(CA.certificate(), OTHER.certificate()));

        assertThat(Pem.readCertificates(bundle)).containsExactly(CA.certificate(), OTHER.certificate());
        assertThatThrownBy(() -> Pem.readCertificate(bundle))
                .isInstanceOf(PemException.class)
                .hasMessageContaining("more than one PEM block");
    }

    @Test
    void theWrongKindOfTextSaysWhatItHolds() {
        assertThatThrownBy(() -> Pem.readCertificate(Pem.privateKey(CA.privateKey())))
                .hasMessageStartingWith("not a PEM certificate: it holds a private key");
        assertThatThrownBy(() -> Pem.readPrivateKey(Pem.certificate(CA.certificate())))
                .hasMessageStartingWith("not a PEM private key: it holds a certificate");
        assertThatThrownBy(() -> Pem.readCertificates("hello"))
                .hasMessageStartingWith("not a PEM certificate (found no -----BEGIN CERTIFICATE----- line)");
        assertThatThrownBy(
                        () -> Pem.readCertificates(Pem.certificate(CA.certificate()) + Pem.privateKey(CA.privateKey())))
                .hasMessageStartingWith("not a PEM certificate: it holds a private key");
    }
}
