package io.dpuoffload.cli.fs;

import picocli.CommandLine.Command;

/** {@code offloadctl fs}: share host directories, /proc and /sys with the DPU. */
@Command(
        name = "fs",
        mixinStandardHelpOptions = true,
        description = "Share host directories, /proc and /sys with the DPU (offload-fs).",
        subcommands = {FsServeCommand.class, FsMountCommand.class, FsUmountCommand.class, FsStatusCommand.class})
public final class FsCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
