package io.dpuoffload.cli.ipc;

import picocli.CommandLine.Command;

/** {@code offloadctl ipc}: Unix sockets of one side connectable on the other. */
@Command(
        name = "ipc",
        mixinStandardHelpOptions = true,
        description = "Carry Unix-socket connections between host and DPU (offload-ipc).",
        subcommands = {IpcServeCommand.class, IpcConnectCommand.class, IpcRunCommand.class})
public final class IpcCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
