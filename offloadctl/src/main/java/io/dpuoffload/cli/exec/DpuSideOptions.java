package io.dpuoffload.cli.exec;

import io.dpuoffload.cli.channel.ConfiguredChannel;
import io.dpuoffload.exec.config.ExecConfig;
import io.dpuoffload.exec.config.ExecConfigLoader;
import io.dpuoffload.transport.net.Endpoint;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** What every DPU-side exec command is told: the host's endpoint and this side's configuration. */
final class DpuSideOptions {
    @Option(
            names = "--server",
            paramLabel = "ENDPOINT",
            required = true,
            description = "The host's offload-exec endpoint, e.g. tcp://198.51.100.1:7300.")
    String server;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            required = true,
            description = "The YAML configuration (node, pki, peers, dropEnvironment); see docs/offload-exec.md.")
    Path configFile;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    Endpoint endpoint() {
        return ConfiguredChannel.serverEndpoint(spec, server);
    }

    ExecConfig config() {
        return ConfiguredChannel.load(configFile, ExecConfigLoader::load);
    }
}
