package io.dpuoffload.cli.certs;

import io.dpuoffload.pki.TlsFiles;
import io.dpuoffload.pki.Validity;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code offloadctl certs}: the CA and node certificates that secure the host-DPU channel. */
@Command(
        name = "certs",
        mixinStandardHelpOptions = true,
        description = {
            "Create the CA and the node certificates for the host-DPU channel (mutual TLS 1.3).",
            "",
            "1. Once, on a machine you trust:  offloadctl certs init",
            "2. For each host and each DPU:    offloadctl certs issue --node NAME [--pair ID]",
            "3. Copy ca.crt, NAME.crt and NAME.key to that node's " + CertsCommand.DEFAULT_DIRECTORY + ".",
            "   ca.key stays where it is.",
            "",
            "To rotate a node's certificate, issue it again with --force and copy NAME.crt and NAME.key to the",
            "node: its daemons use them for new connections within seconds, without a restart; open",
            "connections keep the certificate they began with."
        },
        subcommands = {CertsInitCommand.class, CertsIssueCommand.class})
public final class CertsCommand implements Runnable {

    /** {@link TlsFiles#DEFAULT_DIRECTORY} as a constant that annotations can use; a test keeps them equal. */
    static final String DEFAULT_DIRECTORY = "/etc/dpu-offload/pki";

    /** Past year 9999 X.509 cannot write the date; a century is already far beyond any sane use. */
    static final int MAX_DAYS = 36_500;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The start of validity for a certificate made now: the same allowance for clock skew as the operator's. */
    static Instant validFrom(Instant now) {
        return Validity.notBefore(now);
    }

    /** @throws ParameterException (usage error) unless 1 ≤ days ≤ {@link #MAX_DAYS} */
    static Duration validity(CommandSpec spec, int days) {
        if (days < 1 || days > MAX_DAYS) {
            throw new ParameterException(
                    spec.commandLine(), "--days must be between 1 and " + MAX_DAYS + ", but is " + days);
        }
        return Duration.ofDays(days);
    }
}
