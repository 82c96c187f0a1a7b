package io.dpuoffload.bench.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.bench.OffloadBench;
import io.dpuoffload.cli.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code offload-bench transport}'s options: a bad value is a usage error naming the option, before any setup. */
class TransportOptionsTest {

    private record Run(int exitCode, String err) {}

    private static Run run(String... args) {
        var err = new StringWriter();
        var cli = OffloadBench.commandLine();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));
        return new Run(cli.execute(args), err.toString());
    }

    @Test
    void aSizeOutsideTheLimitsNamesTheLimits() {
        Run bench = run("transport", "--bytes", "3", "--streams", "4");

        assertThat(bench.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(bench.err()).contains("--bytes: 3 is outside 4 B to 16.0 GiB");
    }

    @Test
    void countsOutsideTheirRangeAreUsageErrors() {
        Run runs = run("transport", "--runs", "11");
        Run notANumber = run("transport", "--requests", "many");

        assertThat(runs.err()).contains("--runs must be between 1 and 10, but is 11");
        assertThat(notANumber.err()).contains("'many' is not an int");
        assertThat(List.of(runs.exitCode(), notANumber.exitCode())).containsOnly(ExitCodes.USAGE);
    }
}
