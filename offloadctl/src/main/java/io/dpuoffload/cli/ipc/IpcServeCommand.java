package io.dpuoffload.cli.ipc;

import io.dpuoffload.cli.BadInputException;
import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.StopSignal;
import io.dpuoffload.cli.channel.ConfiguredChannel;
import io.dpuoffload.config.ConfigException;
import io.dpuoffload.ipc.IpcNode;
import io.dpuoffload.ipc.config.IpcConfig;
import io.dpuoffload.ipc.config.IpcConfigLoader;
import io.dpuoffload.ipc.wire.IpcFeature;
import io.dpuoffload.transport.Services;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.net.Endpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code offloadctl ipc serve --config FILE}: the host side of offload-ipc. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve offload-ipc to a DPU (host side): carry its connections to the sockets the",
            "configuration allows, and carry connections to this side's forwards to the DPU.",
            "",
            "Prints 'READY <endpoint>' once listening; stops cleanly on SIGTERM or Ctrl-C.",
            "Refused connects are logged on the 'dpuoffload.audit' logger."
        })
final class IpcServeCommand implements Callable<Integer> {
    @Option(
            names = "--config",
            paramLabel = "FILE",
            required = true,
            description = "The YAML configuration (node, listen, pki, peers, forwards, allow, "
                    + "maxConnections); see docs/offload-ipc.md.")
    Path configFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        IpcConfig config;
        Endpoint endpoint;
        try {
            config = IpcConfigLoader.load(configFile);
            endpoint = ConfiguredChannel.listenEndpoint(config.listen(), "tcp://198.51.100.1:7200");
        } catch (ConfigException | IllegalArgumentException e) {
            throw new BadInputException(configFile + ": " + e.getMessage());
        }
        StopSignal stop = new StopSignal(Duration.ofSeconds(10));
        try (IpcNode node = new IpcNode(config)) {
            var transport = TransportConfig.builder(config.node())
                    .features(Set.of(IpcFeature.IPC))
                    .services(node.register(Services.builder()).build());
            ConfiguredChannel.secure(transport, endpoint, config.node(), config.pki(), config.peers(), true);
            ConfiguredChannel.serveUntil(stop, spec, endpoint, transport.build(), node::connected, node::start);
        } finally {
            stop.done();
        }
        return ExitCodes.OK;
    }
}
