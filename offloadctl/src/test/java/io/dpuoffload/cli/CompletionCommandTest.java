package io.dpuoffload.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompletionCommandTest {

    /** Long enough for bash to source a few kilobytes of script; it takes milliseconds. */
    private static final long BASH_TIMEOUT_SECONDS = 30;

    @Test
    void scriptNamesEverySubcommand() {
        var cli = Offloadctl.commandLine();

        String script = runCompletion(cli);

        assertThat(script).contains("complete -F _complete_offloadctl", "completion", "help");
        assertThat(cli.getSubcommands().keySet())
                .allSatisfy(name -> assertThat(script).contains(name));
    }

    @Test
    void bashCompletesASubcommandFromItsPrefix(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("offloadctl.bash");
        Files.writeString(script, runCompletion(Offloadctl.commandLine()));

        String replies = bash(script, """
                source "$1"
                COMP_LINE='offloadctl compl'; COMP_POINT=${#COMP_LINE}
                COMP_WORDS=(offloadctl compl); COMP_CWORD=1
                _complete_offloadctl offloadctl compl offloadctl
                printf '%s\\n' "${COMPREPLY[@]}"
                """);

        assertThat(replies.lines()).containsExactly("completion");
    }

    private static String runCompletion(picocli.CommandLine cli) {
        var out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("completion")).isEqualTo(ExitCodes.OK);
        return out.toString();
    }

    private static String bash(Path script, String commands) throws IOException, InterruptedException {
        Process bash = new ProcessBuilder("bash", "-c", commands, "bash", script.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String stdout = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(BASH_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).isZero();
        return stdout;
    }
}
