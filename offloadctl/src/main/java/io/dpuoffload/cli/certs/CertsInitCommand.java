package io.dpuoffload.cli.certs;

import io.dpuoffload.pki.CertificateAuthority;
import io.dpuoffload.pki.PemFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code offloadctl certs init}: creates the installation's CA, {@code ca.crt} and {@code ca.key}. */
@Command(
        name = "init",
        mixinStandardHelpOptions = true,
        description = {
            "Create the CA that every host and DPU of this installation trusts: DIR/ca.crt and DIR/ca.key.",
            "Run it once, on a machine you trust; ca.key never goes to a DPU."
        })
final class CertsInitCommand implements Runnable {

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            defaultValue = CertsCommand.DEFAULT_DIRECTORY,
            description =
                    "Directory for ca.crt and ca.key; created with mode 0700 if missing (default: ${DEFAULT-VALUE}).")
    Path directory;

    @Option(
            names = "--days",
            paramLabel = "N",
            defaultValue = "3650",
            description = "How many days the CA is valid (default: ${DEFAULT-VALUE}). No node certificate can"
                    + " outlive it; when it ends, every node needs a new certificate from a new CA.")
    int days;

    @Option(
            names = "--name",
            paramLabel = "CN",
            defaultValue = "dpu-offload CA",
            description =
                    "The CA's common name, shown as the issuer of every node certificate (default: ${DEFAULT-VALUE}).")
    String commonName;

    @Option(
            names = "--force",
            description = "Replace an existing ca.crt and ca.key. Every certificate the old CA issued stops"
                    + " being trusted once nodes get the new ca.crt.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        Duration validity = CertsCommand.validity(spec, days);
        var pki = new PkiDirectory(directory);
        PkiDirectory.refuseToOverwrite(force, pki.caCertificate(), pki.caPrivateKey());
        Instant now = Instant.now();
        CertificateAuthority ca;
        try {
            ca = CertificateAuthority.create(commonName, CertsCommand.validFrom(now), now.plus(validity));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--name: " + e.getMessage(), e);
        }

        pki.createIfMissing();
        PemFiles.writePrivateKey(pki.caPrivateKey(), ca.privateKey(), force);
        PemFiles.writeCertificate(pki.caCertificate(), ca.certificate(), force);

        var out = spec.commandLine().getOut();
        out.printf(
                "Created the CA '%s', valid until %s (%d days)%n",
                ca.certificate().getSubjectX500Principal().getName(), ca.expiry(), days);
        out.printf("  certificate:  %s  (copy it to every host and DPU)%n", pki.caCertificate());
        out.printf("  private key:  %s  (mode 0600; it stays on this machine)%n", pki.caPrivateKey());
        out.printf("Next, for each host and DPU: offloadctl certs issue --node NAME --dir %s%n", directory);
        out.flush();
    }
}
