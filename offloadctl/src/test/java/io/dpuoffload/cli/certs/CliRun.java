package io.dpuoffload.cli.certs;

import io.dpuoffload.cli.Offloadctl;
import java.io.PrintWriter;
import java.io.StringWriter;

/** One offloadctl command line run through the real root command, with what it printed. */
record CliRun(int exitCode, String out, String err) {

    static CliRun of(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Offloadctl.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exitCode = cli.execute(args);
        return new CliRun(exitCode, out.toString(), err.toString());
    }
}
