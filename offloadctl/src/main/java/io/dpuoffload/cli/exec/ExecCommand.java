package io.dpuoffload.cli.exec;

import picocli.CommandLine.Command;

/** {@code offloadctl exec}: programs started on the DPU run on the host. */
@Command(
        name = "exec",
        mixinStandardHelpOptions = true,
        description = "Run host programs from the DPU as if they were local children (offload-exec).",
        subcommands = {
            ExecServeCommand.class,
            ExecGatewayCommand.class,
            ExecRunCommand.class,
            ExecShimCommand.class,
            ExecWriteRexecCommand.class
        })
public final class ExecCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
