package io.dpuoffload.bench;

import io.dpuoffload.bench.exec.ExecBenchCommand;
import io.dpuoffload.bench.fs.FsBenchCommand;
import io.dpuoffload.bench.ipc.InterceptCostCommand;
import io.dpuoffload.bench.ipc.IpcBenchCommand;
import io.dpuoffload.bench.transport.TransportBenchCommand;
import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.Offloadctl;
import io.dpuoffload.cli.VersionProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code offload-bench}: the benchmarks, kept out of offloadctl's product commands. Each compares one part of
 * dpu-offload with what a user would otherwise use, between a host and a DPU node in two network namespaces on this
 * machine; {@code ./dpuo bench NAME} runs them. The node sides are hidden subcommands of the same tree, started in
 * the namespaces; the product commands they drive ({@code fs serve}, {@code ipc connect}, ...) are offloadctl's.
 */
@Command(
        name = "offload-bench",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Measure dpu-offload against the usual tools, on this machine (as root). See docs/benchmarks.md.",
        footer = {"", ExitCodes.HELP_TABLE},
        subcommands = {
            CommandLine.HelpCommand.class,
            TransportBenchCommand.class,
            FsBenchCommand.class,
            IpcBenchCommand.class,
            ExecBenchCommand.class,
            InterceptCostCommand.class
        })
public final class OffloadBench implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs one command line and returns its exit code; tests call this instead of {@link #main}. */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    public static CommandLine commandLine() {
        return Offloadctl.commandLine(new OffloadBench(), "offload-bench");
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
