package io.dpuoffload.cli.exec;

import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.exec.gateway.RexecBinary;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code offloadctl exec write-rexec PATH}: the rexec client this build carries, written out. */
@Command(
        name = "write-rexec",
        mixinStandardHelpOptions = true,
        description = {
            "Write the rexec client (a small static binary) to PATH: 'rexec PROGRAM ARGS...' runs",
            "the host's PROGRAM through the exec gateway. The distribution has it as bin/rexec."
        })
final class ExecWriteRexecCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PATH", description = "Where to write rexec (mode 0755).")
    Path target;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        RexecBinary.writeClient(target);
        spec.commandLine().getOut().println("wrote " + target);
        return ExitCodes.OK;
    }
}
