package io.dpuoffload.cli.ipc;

import io.dpuoffload.cli.channel.ConfiguredChannel;
import io.dpuoffload.ipc.config.IpcConfig;
import io.dpuoffload.ipc.config.IpcConfigLoader;
import io.dpuoffload.transport.net.Endpoint;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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
        return ConfiguredChannel.serverEndpoint(spec, server);
    }

    IpcConfig config() {
        return ConfiguredChannel.load(configFile, IpcConfigLoader::load);
    }
}
