package io.dpuoffload.cli.channel;

import io.dpuoffload.cli.Offloadctl;
import java.io.PrintWriter;
import java.io.StringWriter;

/** One offloadctl command line run through the real root command, with what it printed. */
record Cli(int exitCode, String out, String err) {

    static Cli run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Offloadctl.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exitCode = cli.execute(args);
        return new Cli(exitCode, out.toString(), err.toString());
    }
}
