package io.dpuoffload.cli.agent;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The DPU agent's state directory, as {@code agent status} and {@code agent stop} name it. */
final class StateDirectory {
    @Option(
            names = "--state",
            paramLabel = "DIR",
            defaultValue = "/run/dpu-offload/agent",
            description = "The agent's state directory (the pair's dpu.state). Default: ${DEFAULT-VALUE}.")
    Path path;
}
