package io.dpuoffload.cli.ipc;

import io.dpuoffload.cli.BadInputException;
import io.dpuoffload.config.ConfigException;
import io.dpuoffload.ipc.config.IpcConfig;
import io.dpuoffload.ipc.config.IpcConfigLoader;
import io.dpuoffload.transport.net.Endpoint;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** What every DPU-side ipc command is told: the host's endpoint and this side's configuration. */
final class DpuSideOptions {
    @Option(
            names = "--server",
            paramLabel = "ENDPOINT",
            required = true,
            description = "The host's offload-ipc endpoint, e.g. tcp://198.51.100.1:7200 or unix:/PATH.")
    String server;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            required = true,
            description = "The YAML configuration (node, pki, peers, forwards, allow, maxConnections, "
                    + "transparent; no listen); see docs/offload-ipc.md.")
    Path configFile;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    Endpoint endpoint() {
        try {
            return Endpoint.parse(server);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--server: " + e.getMessage());
        }
    }

    IpcConfig config() {
        try {
            return IpcConfigLoader.load(configFile);
        } catch (ConfigException e) {
            throw new BadInputException(e.getMessage());
        }
    }
}
