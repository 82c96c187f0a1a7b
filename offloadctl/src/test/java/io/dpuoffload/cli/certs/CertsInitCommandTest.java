package io.dpuoffload.cli.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.Offloadctl;
import io.dpuoffload.pki.CertificateAuthority;
import io.dpuoffload.pki.TlsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertsInitCommandTest {

    @TempDir
    Path temp;

    @Test
    void createsTheCaInANewOwnerOnlyDirectory() throws Exception {
        Path dir = temp.resolve("etc/dpu-offload/pki");

        assertThat(Offloadctl.execute("certs", "init", "--dir", dir.toString())).isEqualTo(ExitCodes.OK);

        assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.getPosixFilePermissions(dir.resolve("ca.crt")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(dir.resolve("ca.key")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        var ca = CertificateAuthority.load(dir.resolve("ca.crt"), dir.resolve("ca.key"));
        assertThat(ca.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=dpu-offload CA");
        assertThat(ca.expiry()).isCloseTo(Instant.now().plus(Duration.ofDays(3650)), within(1, ChronoUnit.MINUTES));
        assertThat(ca.certificate().getNotBefore().toInstant())
                .as("backdated for clock skew")
                .isBefore(Instant.now().minus(Duration.ofMinutes(4)));
    }

    @Test
    void printsWhatItWrote() {
        CliRun run = CliRun.of("certs", "init", "--dir", temp.toString(), "--name", "rack3 CA", "--days", "30");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(run.out())
                .contains("Created the CA 'CN=rack3 CA'", "(30 days)")
                .contains(
                        temp.resolve("ca.crt").toString(),
                        temp.resolve("ca.key").toString())
                .contains("offloadctl certs issue --node NAME --dir " + temp);
        assertThat(CertificateAuthority.load(temp.resolve("ca.crt"), temp.resolve("ca.key"))
                        .expiry())
                .isCloseTo(Instant.now().plus(Duration.ofDays(30)), within(1, ChronoUnit.MINUTES));
    }

    @Test
    void refusesToReplaceAnExistingCaUnlessForced() throws Exception {
        assertThat(Offloadctl.execute("certs", "init", "--dir", temp.toString()))
                .isEqualTo(ExitCodes.OK);
        String firstKey = Files.readString(temp.resolve("ca.key"));

        CliRun again = CliRun.of("certs", "init", "--dir", temp.toString());

        assertThat(again.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(again.err()).contains("refusing to overwrite " + temp.resolve("ca.crt"), "pass --force");
        assertThat(Files.readString(temp.resolve("ca.key"))).isEqualTo(firstKey);

        assertThat(Offloadctl.execute("certs", "init", "--dir", temp.toString(), "--force"))
                .isEqualTo(ExitCodes.OK);
        assertThat(Files.readString(temp.resolve("ca.key"))).isNotEqualTo(firstKey);
    }

    @Test
    void aDirectoryThatIsAFileIsBadInput() throws Exception {
        Path file = Files.writeString(temp.resolve("pki"), "not a directory");

        CliRun run = CliRun.of("certs", "init", "--dir", file.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains(file + " exists but is not a directory");
    }

    @Test
    void badDaysOrNameAreUsageErrors() {
        CliRun zeroDays = CliRun.of("certs", "init", "--dir", temp.toString(), "--days", "0");
        CliRun longName = CliRun.of("certs", "init", "--dir", temp.toString(), "--name", "x".repeat(65));

        assertThat(zeroDays.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(zeroDays.err()).contains("--days must be between 1 and 36500, but is 0");
        assertThat(longName.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(longName.err()).contains("--name: CA name", "1 to 64 characters");
        assertThat(temp.resolve("ca.key")).doesNotExist();
    }

    @Test
    void defaultDirectoryIsTheOneTheDaemonsRead() {
        assertThat(CertsCommand.DEFAULT_DIRECTORY).isEqualTo(TlsFiles.DEFAULT_DIRECTORY.toString());
    }
}
