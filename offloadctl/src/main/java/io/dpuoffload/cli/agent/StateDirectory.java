package io.dpuoffload.cli.agent;

import io.dpuoffload.api.spec.Pair;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Which agent {@code agent status} and {@code agent stop} mean: its role, and its state directory. */
final class StateDirectory {
    @Option(
            names = "--role",
            paramLabel = "host|dpu",
            defaultValue = "dpu",
            description = "Which agent of this node: the DPU's (default) or the host's.")
    AgentCommand.Role role;

    @Option(
            names = "--state",
            paramLabel = "DIR",
            description = "The agent's state directory (the pair's dpu.state or host.state). Default: "
                    + "/run/dpu-offload/agent for the DPU agent, /run/dpu-offload/host-agent for the host agent.")
    Path given;

    Path path() {
        return given != null
                ? given
                : role == AgentCommand.Role.host ? Pair.Host.DEFAULT_STATE : Pair.Dpu.DEFAULT_STATE;
    }

    /** "the DPU agent" or "the host agent", for messages. */
    String agent() {
        return "the " + (role == AgentCommand.Role.host ? "host" : "DPU") + " agent";
    }
}
