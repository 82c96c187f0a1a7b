package io.dpuoffload.cli;

import io.dpuoffload.cli.certs.CertsCommand;
import io.dpuoffload.cli.channel.ChannelCommand;
import io.dpuoffload.cli.fs.FsCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code offloadctl}: the one command-line tool of dpu-offload. Each area adds a subcommand here. */
@Command(
        name = "offloadctl",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Runs a server's management daemons on its DPU, unmodified.",
        footer = {"", ExitCodes.HELP_TABLE},
        subcommands = {
            CommandLine.HelpCommand.class,
            CompletionCommand.class,
            CertsCommand.class,
            ChannelCommand.class,
            FsCommand.class,
            io.dpuoffload.cli.ipc.IpcCommand.class,
            io.dpuoffload.cli.exec.ExecCommand.class,
            io.dpuoffload.cli.agent.AgentCommand.class,
            io.dpuoffload.cli.agent.AgentStatusCommand.TopLevel.class,
            io.dpuoffload.cli.demo.DemoCommand.class
        })
public final class Offloadctl implements Runnable {

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
        return commandLine(new Offloadctl(), "offloadctl");
    }

    /**
     * {@code root}'s command line with offloadctl's exit codes and one-line error messages, which start with
     * {@code program}; offload-bench's root command reports the same way.
     */
    public static CommandLine commandLine(Object root, String program) {
        return new CommandLine(root)
                .setExitCodeExceptionMapper(new ExitCodeMapper())
                .setExecutionExceptionHandler(new ErrorReporter(program));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
