package io.dpuoffload.cli.certs;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.Offloadctl;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CertsHelpTest {

    @Test
    void everyCertsOptionIsDescribed() {
        CommandLine certs = Offloadctl.commandLine().getSubcommands().get("certs");
        List<CommandLine> commands = List.of(
                certs,
                certs.getSubcommands().get("init"),
                certs.getSubcommands().get("issue"));

        for (CommandLine command : commands) {
            assertThat(command.getCommandSpec().options())
                    .as(command.getCommandName())
                    .allSatisfy(option -> assertThat(String.join("", option.description()))
                            .as(option.longestName())
                            .isNotBlank());
        }
    }

    @Test
    void helpShowsTheSubcommandsAndOptions() {
        assertThat(CliRun.of("certs", "--help").out()).contains("init", "issue", "--force");
        CliRun issueHelp = CliRun.of("certs", "issue", "--help");

        assertThat(issueHelp.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(issueHelp.out())
                .contains("--node=NAME", "--pair=ID", "--dir=DIR", "--days=N", "--force", "/etc/dpu-offload/pki");
    }

    @Test
    void certsAloneShowsUsage() {
        CliRun run = CliRun.of("certs");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(run.out()).contains("Usage: offloadctl certs");
    }
}
