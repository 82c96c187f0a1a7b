package io.dpuoffload.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.interfaces.ECPrivateKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemFilesTest {

    private static final String FIX = "create it with `offloadctl certs issue --node host-01`";

    private static final CertificateAuthority CA = TestPki.newCa("test CA");
    private static final NodeCredentials NODE = TestPki.node(CA, "host-01", null);

    @TempDir
    Path dir;

    @Test
    void writesCertificateAndKeyReadableOnlyByTheOwnerAndReadsThemBack() throws Exception {
        Path certificate = dir.resolve("host-01.crt");
        Path key = dir.resolve("host-01.key");

        PemFiles.writeCertificate(certificate, NODE.certificate(), false);
        PemFiles.writePrivateKey(key, NODE.privateKey(), false);

        assertThat(Files.getPosixFilePermissions(certificate)).isEqualTo(PemFiles.OWNER_ONLY);
        assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PemFiles.OWNER_ONLY);
        assertThat(Files.readString(certificate)).startsWith("-----BEGIN CERTIFICATE-----\n");
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(PemFiles.readCertificate(certificate, FIX)).isEqualTo(NODE.certificate());
        assertThat(PemFiles.readPrivateKey(key, FIX).getEncoded())
                .isEqualTo(NODE.privateKey().getEncoded());
        try (var listing = Files.list(dir)) {
            assertThat(listing).as("no temporary files left").containsExactlyInAnyOrder(certificate, key);
        }
    }

    @Test
    void refusesToOverwriteAnExistingFileUnlessForced() throws Exception {
        Path key = dir.resolve("ca.key");
        PemFiles.writePrivateKey(key, CA.privateKey(), false);
        String original = Files.readString(key);

        assertThatThrownBy(() -> PemFiles.writePrivateKey(key, NODE.privateKey(), false))
                .isInstanceOf(OverwriteRefusedException.class)
                .hasMessage("refusing to overwrite " + key + ": it already exists; pass --force to replace it");
        assertThat(Files.readString(key)).isEqualTo(original);

        PemFiles.writePrivateKey(key, NODE.privateKey(), true);
        assertThat(PemFiles.readPrivateKey(key, FIX).getEncoded())
                .isEqualTo(NODE.privateKey().getEncoded());
    }

    @Test
    void forcedWriteReplacesALooserFileWithAnOwnerOnlyOne() throws Exception {
        Path key = dir.resolve("host-01.key");
        Files.writeString(key, "old");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));

        PemFiles.writePrivateKey(key, NODE.privateKey(), true);

        assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PemFiles.OWNER_ONLY);
    }

    @Test
    void writingIntoAMissingDirectorySaysSo() {
        Path key = dir.resolve("absent/host-01.key");

        assertThatThrownBy(() -> PemFiles.writePrivateKey(key, NODE.privateKey(), false))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("cannot write " + key)
                .hasMessageContaining("does not exist");
    }

    @Test
    void missingFileIsNamedWithTheFix() {
        Path missing = dir.resolve("host-01.crt");

        assertThatThrownBy(() -> PemFiles.readCertificate(missing, FIX))
                .isInstanceOf(TlsFileException.class)
                .hasMessage(missing + ": no such file — " + FIX);
    }

    @Test
    void garbageIsNotAPemCertificate() throws Exception {
        Path garbage = Files.writeString(dir.resolve("host-01.crt"), "hello, I am not a certificate\n");

        assertThatThrownBy(() -> PemFiles.readCertificate(garbage, FIX))
                .isInstanceOf(TlsFileException.class)
                .hasMessageStartingWith(garbage + ": not a PEM certificate")
                .hasMessageEndingWith(FIX);
        assertThatThrownBy(() -> PemFiles.readPrivateKey(garbage, FIX))
                .isInstanceOf(TlsFileException.class)
                .hasMessageStartingWith(garbage + ": not a PEM private key");
    }

    @Test
    void binaryDerIsRecognisedAsSuch() throws Exception {
        Path der = Files.write(dir.resolve("host-01.crt"), NODE.certificate().getEncoded());

        assertThatThrownBy(() -> PemFiles.readCertificate(der, FIX))
                .hasMessageContaining("not a PEM certificate")
                .hasMessageContaining("looks like binary DER");
    }

    @Test
    void aKeyIsNotACertificateAndACertificateIsNotAKey() {
        Path key = dir.resolve("host-01.key");
        Path certificate = dir.resolve("host-01.crt");
        PemFiles.writePrivateKey(key, NODE.privateKey(), false);
        PemFiles.writeCertificate(certificate, NODE.certificate(), false);

        assertThatThrownBy(() -> PemFiles.readCertificate(key, FIX))
                .isInstanceOf(TlsFileException.class)
                .hasMessageStartingWith(key + ": not a PEM certificate: it holds a private key");
        assertThatThrownBy(() -> PemFiles.readPrivateKey(certificate, FIX))
                .isInstanceOf(TlsFileException.class)
                .hasMessageStartingWith(certificate + ": not a PEM private key: it holds a certificate");
    }

    @Test
    void aFileWithTwoCertificatesIsRefused() throws Exception {
        Path one = dir.resolve("one.crt");
        PemFiles.writeCertificate(one, NODE.certificate(), false);
        Path two =
                Files.writeString(dir.resolve("two.crt"), Files.readString(one).repeat(2));

        assertThatThrownBy(() -> PemFiles.readCertificate(two, FIX)).hasMessageContaining("more than one PEM block");
    }

    @Test
    void aDamagedPemBlockIsReportedAsDamaged() throws Exception {
        Path damaged = Files.writeString(
                dir.resolve("host-01.crt"), "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");

        assertThatThrownBy(() -> PemFiles.readCertificate(damaged, FIX))
                .isInstanceOf(TlsFileException.class)
                .hasMessageStartingWith(damaged + ": ");
    }

    @Test
    void aDirectoryIsNotACertificate() {
        assertThatThrownBy(() -> PemFiles.readCertificate(dir, FIX)).hasMessageContaining("not a regular file");
    }

    @Test
    void readsTheTraditionalEcKeyFormatThatOpensslWrites() throws Exception {
        // A throwaway key from `openssl ecparam -name prime256v1 -genkey -noout`, and the same key
        // through `openssl pkcs8 -topk8 -nocrypt`.
        Path sec1 = Files.writeString(dir.resolve("sec1.key"), """
                -----BEGIN EC PRIVATE KEY-----
                MHcCAQEEIJ02WVsNuw4t9fv71HeVC4YVkmtCtdzcHkB4jfS/YihcoAoGCCqGSM49
                AwEHoUQDQgAEvjEHLPjiWbZS7YaECj5iw6JNxYHLpBbc6Yeqvd5Bzd6tPLxiSUIs
                2reTqJ54O9ltSRuBvc+Ib4hhoIGDInY8Cg==
                -----END EC PRIVATE KEY-----
                """);
        Path pkcs8 = Files.writeString(dir.resolve("pkcs8.key"), """
                -----BEGIN PRIVATE KEY-----
                MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgnTZZWw27Di31+/vU
                d5ULhhWSa0K13NweQHiN9L9iKFyhRANCAAS+MQcs+OJZtlLthoQKPmLDok3Fgcuk
                Ftzph6q93kHN3q08vGJJQizat5Oonng72W1JG4G9z4hviGGggYMidjwK
                -----END PRIVATE KEY-----
                """);

        var fromSec1 = (ECPrivateKey) PemFiles.readPrivateKey(sec1, FIX);
        var fromPkcs8 = (ECPrivateKey) PemFiles.readPrivateKey(pkcs8, FIX);

        assertThat(fromSec1.getS()).isEqualTo(fromPkcs8.getS());
    }
}
