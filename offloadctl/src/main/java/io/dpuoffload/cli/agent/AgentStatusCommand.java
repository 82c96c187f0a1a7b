package io.dpuoffload.cli.agent;

import io.dpuoffload.agent.dpu.DpuAgent;
import io.dpuoffload.cli.BadInputException;
import io.dpuoffload.cli.ExitCodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code offloadctl agent status}, also {@code offloadctl status}: the DPU agent's mount plan, step
 * by step, and its daemons.
 */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = "Print the DPU agent's offload root: each step of its mount plan and its state, and each daemon.")
public class AgentStatusCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    StateDirectory stateDirectory;

    @Spec
    CommandSpec spec;

    /** The same, at the top: what an operator on a DPU asks first. */
    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "Print the DPU agent's offload root (the same as 'agent status').")
    public static final class TopLevel extends AgentStatusCommand {}

    @Override
    public Integer call() throws IOException {
        try {
            Files.readAllLines(DpuAgent.statusFile(stateDirectory.path))
                    .forEach(spec.commandLine().getOut()::println);
        } catch (NoSuchFileException e) {
            throw new BadInputException("no DPU agent status in " + stateDirectory.path
                    + " (is the agent running here? --state names another state directory)");
        }
        return ExitCodes.OK;
    }
}
