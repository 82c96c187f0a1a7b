package io.dpuoffload.cli.agent;

import io.dpuoffload.agent.dpu.DpuAgent;
import io.dpuoffload.agent.host.HostStatusKeeper;
import io.dpuoffload.cli.BadInputException;
import io.dpuoffload.cli.ExitCodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code offloadctl agent stop}: SIGTERM to the DPU agent of a state directory (or with {@code --role
 * host} the host agent), then a wait for its teardown (daemons, interception, mounts) to finish.
 */
@Command(
        name = "stop",
        mixinStandardHelpOptions = true,
        description = {
            "Stop the DPU agent (daemons, interception and the root's mounts are taken down) and wait for it;",
            "with --role host, the host agent."
        })
final class AgentStopCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    StateDirectory stateDirectory;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = "90",
            description =
                    "How long to wait for the teardown (daemons get 10 s each after SIGTERM). Default: ${DEFAULT-VALUE}.")
    int timeoutSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ProcessHandle agent = runningAgent();
        agent.destroy();
        try {
            agent.onExit().get(timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(stateDirectory.agent() + " (pid " + agent.pid()
                    + ") is still taking down after "
                    + Duration.ofSeconds(timeoutSeconds) + "; `offloadctl agent status --role " + stateDirectory.role
                    + " --state " + stateDirectory.path() + "` shows where it is");
        }
        spec.commandLine().getOut().println("stopped " + stateDirectory.agent() + " (pid " + agent.pid() + ")");
        return ExitCodes.OK;
    }

    /** Where each agent keeps its pid; the same name in both state directories. */
    private Path pidFile(Path state) {
        return stateDirectory.role == AgentCommand.Role.host
                ? HostStatusKeeper.pidFile(state)
                : DpuAgent.pidFile(state);
    }

    /** The agent whose pid the state directory names, if it is still that agent (pids are reused). */
    private ProcessHandle runningAgent() throws IOException {
        long pid;
        try {
            pid = Long.parseLong(
                    Files.readString(pidFile(stateDirectory.path())).strip());
        } catch (NoSuchFileException e) {
            throw new BadInputException("no " + stateDirectory.agent().substring(4) + " runs with state directory "
                    + stateDirectory.path()
                    + " (no pid file; --state names another state directory, --role the other agent)");
        } catch (NumberFormatException e) {
            throw new BadInputException(pidFile(stateDirectory.path()) + " holds no pid; remove it if no agent runs");
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        boolean isAgent;
        try {
            isAgent = handle.isPresent()
                    && Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"))
                            .contains("agent");
        } catch (IOException e) {
            isAgent = false; // gone meanwhile
        }
        if (!isAgent) {
            throw new BadInputException("pid " + pid + " in " + pidFile(stateDirectory.path())
                    + " is not a running agent (it ended without its teardown?); remove the file");
        }
        return handle.get();
    }
}
