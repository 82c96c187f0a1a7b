package io.dpuoffload.cli.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.Offloadctl;
import io.dpuoffload.pki.TlsFiles;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What the channel commands say about bad command lines, before they touch the network or the machine. */
class ChannelOptionsTest {

    @TempDir
    Path temp;

    @Test
    void aSizeThatIsNoSizeIsAUsageErrorNamingTheOptionAndTheForms() {
        Cli run = Cli.run("channel", "probe", "--server", "tcp://127.0.0.1:1", "--node", "dpu-1", "--bytes", "1GB");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err())
                .contains("--bytes: '1GB' is not a size (GB is ambiguous: write GiB for binary units)")
                .contains("e.g. 65536, 64MiB, 1GiB")
                .contains("Usage: offloadctl channel probe");
    }

    @Test
    void sizesOutsideTheLimitsNameTheLimits() {
        Cli demo = Cli.run("channel", "demo", "--bytes", "1TiB");

        assertThat(demo.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(demo.err()).contains("--bytes: 1TiB is outside 1 B to 4.00 GiB");
    }

    @Test
    void countsOutsideTheirRangeAreUsageErrors() {
        Cli requests =
                Cli.run("channel", "probe", "--server", "tcp://127.0.0.1:1", "--node", "dpu-1", "--requests", "0");
        Cli notANumber = Cli.run("channel", "probe", "--server", "tcp://127.0.0.1:1", "--requests", "many");

        Cli warmUp = Cli.run("channel", "probe", "--server", "tcp://127.0.0.1:1", "--node", "dpu-1", "--warm-up", "61");

        assertThat(requests.err()).contains("--requests must be between 1 and 1000000, but is 0");
        assertThat(warmUp.err()).contains("--warm-up must be between 0 and 60, but is 61");
        assertThat(notANumber.err()).contains("'many' is not an int");
        assertThat(List.of(requests.exitCode(), warmUp.exitCode(), notANumber.exitCode()))
                .containsOnly(ExitCodes.USAGE);
    }

    @Test
    void badEndpointsAndNodeNamesAreUsageErrors() {
        Cli endpoint = Cli.run("channel", "probe", "--server", "198.51.100.1", "--node", "dpu-1");
        Cli scheme = Cli.run("channel", "serve", "--listen", "http://x:1", "--node", "host-1");
        Cli node = Cli.run("channel", "serve", "--listen", "unix:" + temp.resolve("s"), "--node", "Host_1");

        assertThat(endpoint.err()).contains("--server: endpoint '198.51.100.1' has no HOST:PORT: use tcp://HOST:PORT");
        assertThat(scheme.err()).contains("--listen: unknown scheme in endpoint 'http://x:1'");
        assertThat(node.err()).contains("--node: node name 'Host_1'");
        assertThat(List.of(endpoint.exitCode(), scheme.exitCode(), node.exitCode()))
                .containsOnly(ExitCodes.USAGE);
    }

    @Test
    void optionsThatNeedTlsOrTcpSaySo() {
        Path socket = temp.resolve("s");
        Cli expectPeer =
                Cli.run("channel", "serve", "--listen", "unix:" + socket, "--node", "host-1", "--expect-peer", "dpu-1");
        Cli baseline = Cli.run(
                "channel", "serve", "--listen", "unix:" + socket, "--node", "host-1", "--baseline-port", "7001");

        assertThat(expectPeer.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(expectPeer.err()).contains("--expect-peer needs TLS", "give --pki DIR or drop --expect-peer");
        assertThat(baseline.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(baseline.err()).contains("--baseline-port needs a tcp:// --listen endpoint");
    }

    @Test
    void missingCertificatesAreABadInputFileAndNothingIsDialled() {
        // Loopback port 1: nothing listens; had the probe dialled, it would exit 4, not 3.
        Cli run = Cli.run(
                "channel", "probe", "--server", "tcp://127.0.0.1:1", "--node", "dpu-1", "--pki", temp.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains(temp.resolve("ca.crt") + ": no such file", "offloadctl certs init");
    }

    @Test
    void helpListsThePublicCommandsOnly() {
        Cli run = Cli.run("channel", "--help");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(run.out()).contains("serve", "probe", "demo").doesNotContain("bench-client", "impostor");
        assertThat(Cli.run("channel", "bench").exitCode())
                .as("the benchmark is offload-bench's, not a product command")
                .isEqualTo(ExitCodes.USAGE);
        assertThat(Cli.run("--help").out()).contains("channel");
    }

    @Test
    void everyChannelOptionIsDescribed() {
        CommandLine channel = Offloadctl.commandLine().getSubcommands().get("channel");

        for (CommandLine command : channel.getSubcommands().values()) {
            assertThat(command.getCommandSpec().options())
                    .as(command.getCommandName())
                    .allSatisfy(option -> assertThat(String.join("", option.description()))
                            .as(option.longestName())
                            .isNotBlank());
        }
    }

    @Test
    void defaultPkiDirectoryIsTheOneTheDaemonsRead() {
        assertThat(ChannelCommand.DEFAULT_PKI_DIRECTORY).isEqualTo(TlsFiles.DEFAULT_DIRECTORY.toString());
    }
}
