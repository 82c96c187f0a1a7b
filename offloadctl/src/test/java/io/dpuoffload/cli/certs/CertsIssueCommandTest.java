package io.dpuoffload.cli.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.Offloadctl;
import io.dpuoffload.pki.NodeIdentity;
import io.dpuoffload.pki.PemFiles;
import io.dpuoffload.pki.TlsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertsIssueCommandTest {

    private static final String FIX = "test";

    @TempDir
    Path dir;

    @BeforeEach
    void createCa() {
        assertThat(Offloadctl.execute("certs", "init", "--dir", dir.toString())).isEqualTo(ExitCodes.OK);
    }

    @Test
    void issuesAnOwnerOnlyCertificateThatChainsToTheCaAndNamesNodeAndPair() throws Exception {
        assertThat(Offloadctl.execute(
                        "certs", "issue", "--node", "dpu-01", "--pair", "rack3-07", "--dir", dir.toString()))
                .isEqualTo(ExitCodes.OK);

        Path certificateFile = dir.resolve("dpu-01.crt");
        Path keyFile = dir.resolve("dpu-01.key");
        assertThat(Files.getPosixFilePermissions(certificateFile)).isEqualTo(PemFiles.OWNER_ONLY);
        assertThat(Files.getPosixFilePermissions(keyFile)).isEqualTo(PemFiles.OWNER_ONLY);
        X509Certificate certificate = PemFiles.readCertificate(certificateFile, FIX);
        X509Certificate ca = PemFiles.readCertificate(dir.resolve("ca.crt"), FIX);
        assertValidatesAgainst(certificate, ca);
        assertThat(NodeIdentity.fromCertificate(certificate))
                .isEqualTo(new NodeIdentity("dpu-01", Optional.of("rack3-07")));
    }

    @Test
    void theIssuedFilesAreWhatTheChannelLoads() {
        assertThat(Offloadctl.execute("certs", "issue", "--node", "host-01", "--dir", dir.toString()))
                .isEqualTo(ExitCodes.OK);

        var material = TlsFiles.inDirectory(dir, "host-01").load();

        assertThat(material.identity()).isEqualTo(new NodeIdentity("host-01", Optional.empty()));
    }

    @Test
    void printsSubjectNamesExpiryAndFiles() {
        CliRun run = CliRun.of(
                "certs", "issue", "--node", "dpu-01", "--pair", "rack3-07", "--dir", dir.toString(), "--days", "90");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.OK);
        X509Certificate certificate = PemFiles.readCertificate(dir.resolve("dpu-01.crt"), FIX);
        assertThat(run.out())
                .contains("subject:      CN=dpu-01")
                .contains("names:        DNS:dpu-01, URI:urn:dpuoffload:pair:rack3-07")
                .contains("valid until:  " + certificate.getNotAfter().toInstant() + " (90 days)")
                .contains("certificate:  " + dir.resolve("dpu-01.crt"))
                .contains("private key:  " + dir.resolve("dpu-01.key"));
    }

    @Test
    void withoutACaSaysHowToCreateOne(@TempDir Path empty) {
        CliRun run = CliRun.of("certs", "issue", "--node", "dpu-01", "--dir", empty.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err())
                .contains(empty.resolve("ca.crt") + ": no such file")
                .contains("offloadctl certs init --dir " + empty);
    }

    @Test
    void aDamagedCaCertificateIsBadInput() throws Exception {
        Files.writeString(dir.resolve("ca.crt"), "garbage");

        CliRun run = CliRun.of("certs", "issue", "--node", "dpu-01", "--dir", dir.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains(dir.resolve("ca.crt") + ": not a PEM certificate");
    }

    @Test
    void aBadNodeNameIsAUsageErrorThatStatesTheRule() throws Exception {
        CliRun run = CliRun.of("certs", "issue", "--node", "../DPU_01", "--dir", dir.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("--node: node name '../DPU_01' is not valid", "DNS-1123");
        try (var files = Files.list(dir)) {
            assertThat(files).hasSize(2);
        }
    }

    @Test
    void aMissingNodeIsAUsageError() {
        assertThat(CliRun.of("certs", "issue", "--dir", dir.toString()).exitCode())
                .isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void refusesToReplaceACertificateUnlessForced() throws Exception {
        assertThat(Offloadctl.execute("certs", "issue", "--node", "dpu-01", "--dir", dir.toString()))
                .isEqualTo(ExitCodes.OK);
        String first = Files.readString(dir.resolve("dpu-01.crt"));

        CliRun again = CliRun.of("certs", "issue", "--node", "dpu-01", "--dir", dir.toString());

        assertThat(again.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(again.err()).contains("refusing to overwrite", "pass --force");
        assertThat(Files.readString(dir.resolve("dpu-01.crt"))).isEqualTo(first);

        assertThat(Offloadctl.execute("certs", "issue", "--node", "dpu-01", "--dir", dir.toString(), "--force"))
                .isEqualTo(ExitCodes.OK);
        assertThat(Files.readString(dir.resolve("dpu-01.crt"))).isNotEqualTo(first);
    }

    @Test
    void aCertificateCannotOutliveItsCa() {
        CliRun run = CliRun.of("certs", "issue", "--node", "dpu-01", "--dir", dir.toString(), "--days", "5000");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains(dir.resolve("ca.crt") + ": the CA expires on", "pass --days 3649 or fewer");
    }

    private static void assertValidatesAgainst(X509Certificate certificate, X509Certificate ca) throws Exception {
        var parameters = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        parameters.setRevocationEnabled(false);
        var path = CertificateFactory.getInstance("X.509").generateCertPath(List.of(certificate));
        assertThatCode(() -> CertPathValidator.getInstance("PKIX").validate(path, parameters))
                .doesNotThrowAnyException();
    }
}
