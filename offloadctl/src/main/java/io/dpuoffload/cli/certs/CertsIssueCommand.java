package io.dpuoffload.cli.certs;

import io.dpuoffload.cli.BadInputException;
import io.dpuoffload.pki.CertificateAuthority;
import io.dpuoffload.pki.NodeCredentials;
import io.dpuoffload.pki.NodeNames;
import io.dpuoffload.pki.PemFiles;
import io.dpuoffload.pki.TlsFileException;
import io.dpuoffload.pki.TlsFiles;
import java.nio.file.Path;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code offloadctl certs issue}: a certificate and key for one host or DPU, signed by the CA. */
@Command(
        name = "issue",
        mixinStandardHelpOptions = true,
        description = {
            "Issue a certificate for one host or DPU: DIR/NAME.crt and DIR/NAME.key, signed by DIR/ca.crt and"
                    + " DIR/ca.key.",
            "The certificate proves the node's name (and pair) to its peer; it works for both ends of the channel."
        })
final class CertsIssueCommand implements Runnable {

    @Option(
            names = "--node",
            paramLabel = "NAME",
            required = true,
            description = "The node's name, e.g. host-01 or dpu-01.rack3: lowercase letters, digits, '-' and '.'"
                    + " (a DNS-1123 subdomain). It becomes the certificate's DNS name and the file names.")
    String nodeName;

    @Option(
            names = "--pair",
            paramLabel = "ID",
            description = "The host-DPU pair the node belongs to, same rule as NAME; written into the certificate"
                    + " as the URI urn:dpuoffload:pair:ID.")
    String pairId;

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            defaultValue = CertsCommand.DEFAULT_DIRECTORY,
            description = "Directory with ca.crt and ca.key, where NAME.crt and NAME.key are written"
                    + " (default: ${DEFAULT-VALUE}).")
    Path directory;

    @Option(
            names = "--days",
            paramLabel = "N",
            defaultValue = "365",
            description = "How many days the certificate is valid (default: ${DEFAULT-VALUE}); it cannot outlive"
                    + " the CA.")
    int days;

    @Option(
            names = "--force",
            description = "Replace an existing NAME.crt and NAME.key: this is how a certificate is rotated."
                    + " A running daemon uses the new files for new connections, without a restart.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        requireValidName("--node", "node name", nodeName);
        Optional<String> pair = Optional.ofNullable(pairId);
        pair.ifPresent(id -> requireValidName("--pair", "pair id", id));
        Duration validity = CertsCommand.validity(spec, days);
        var pki = new PkiDirectory(directory);
        TlsFiles files = pki.node(nodeName);

        CertificateAuthority ca = loadCa(pki);
        Instant now = Instant.now();
        Instant notAfter = now.plus(validity);
        if (notAfter.isAfter(ca.expiry())) {
            throw new BadInputException(pki.caCertificate() + ": " + outlivesCa(ca, now));
        }
        PkiDirectory.refuseToOverwrite(force, files.certificate(), files.privateKey());

        NodeCredentials node = ca.issueNode(nodeName, pair, CertsCommand.validFrom(now), notAfter);
        PemFiles.writePrivateKey(files.privateKey(), node.privateKey(), force);
        PemFiles.writeCertificate(files.certificate(), node.certificate(), force);

        printSummary(node.certificate(), files);
    }

    private String outlivesCa(CertificateAuthority ca, Instant now) {
        String newCa = "create a new CA with `offloadctl certs init --force` and issue every node again";
        if (ca.expiry().isBefore(now)) {
            return "the CA expired on " + ca.expiry() + "; " + newCa;
        }
        long daysLeft = Duration.between(now, ca.expiry()).toDays();
        if (daysLeft < 1) {
            return "the CA expires on " + ca.expiry() + ", in less than a day; " + newCa;
        }
        return "the CA expires on " + ca.expiry() + ", before a " + days + "-day certificate would; pass --days "
                + daysLeft + " or fewer, or " + newCa;
    }

    private CertificateAuthority loadCa(PkiDirectory pki) {
        try {
            return CertificateAuthority.load(pki.caCertificate(), pki.caPrivateKey());
        } catch (TlsFileException e) {
            throw new BadInputException(e.getMessage(), e);
        }
    }

    private void requireValidName(String option, String what, String value) {
        try {
            NodeNames.requireValid(what, value);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage(), e);
        }
    }

    private void printSummary(X509Certificate certificate, TlsFiles files) {
        String subject = certificate.getSubjectX500Principal().getName();
        var out = spec.commandLine().getOut();
        out.printf("Issued a certificate for node %s%n", nodeName);
        out.printf(
                "  subject:      %s%n",
                subject.isEmpty() ? "(empty: the name is too long for a CN; see names)" : subject);
        out.printf("  names:        %s%n", subjectAlternativeNames(certificate));
        out.printf("  valid until:  %s (%d days)%n", certificate.getNotAfter().toInstant(), days);
        out.printf("  issuer:       %s%n", certificate.getIssuerX500Principal().getName());
        out.printf("  certificate:  %s%n", files.certificate());
        out.printf("  private key:  %s  (mode 0600)%n", files.privateKey());
        out.printf(
                "Install on %s: ca.crt, %s and %s in %s (running daemons take them for new connections).%n",
                nodeName,
                files.certificate().getFileName(),
                files.privateKey().getFileName(),
                CertsCommand.DEFAULT_DIRECTORY);
        out.flush();
    }

    /** "DNS:dpu-01, URI:urn:dpuoffload:pair:rack3", read back from the certificate itself. */
    private static String subjectAlternativeNames(X509Certificate certificate) {
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            return names.stream()
                    .map(name -> switch ((Integer) name.get(0)) {
                        case 2 -> "DNS:" + name.get(1);
                        case 6 -> "URI:" + name.get(1);
                        default -> "type " + name.get(0) + ":" + name.get(1);
                    })
                    .collect(Collectors.joining(", "));
        } catch (CertificateParsingException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
