package io.dpuoffload.cli.exec;

import io.dpuoffload.cli.BadInputException;
import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.StopSignal;
import io.dpuoffload.cli.channel.ConfiguredChannel;
import io.dpuoffload.config.ConfigException;
import io.dpuoffload.exec.config.ExecConfig;
import io.dpuoffload.exec.config.ExecConfigLoader;
import io.dpuoffload.exec.host.ExecServer;
import io.dpuoffload.transport.Services;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.net.Endpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code offloadctl exec serve --config FILE}: the host side of offload-exec. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve offload-exec (host side) in the foreground: run the allowed programs that",
            "DPU clients ask for. Prints 'READY <endpoint>'; stops on SIGTERM or Ctrl-C."
        })
final class ExecServeCommand implements Callable<Integer> {
    @Option(
            names = "--config",
            paramLabel = "FILE",
            required = true,
            description = "The YAML configuration (node, listen, pki, peers, allow); see docs/offload-exec.md.")
    Path configFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ExecConfig config;
        Endpoint endpoint;
        try {
            config = ExecConfigLoader.load(configFile);
            endpoint = ConfiguredChannel.listenEndpoint(config.listen(), "tcp://198.51.100.1:7300");
        } catch (ConfigException | IllegalArgumentException e) {
            throw new BadInputException(configFile + ": " + e.getMessage());
        }
        StopSignal stop = new StopSignal(Duration.ofSeconds(10));
        try (ExecServer exec = new ExecServer(config.allow(), config.files()).reapOrphans()) {
            var transport = TransportConfig.builder(config.node())
                    .services(exec.register(Services.builder()).build());
            ConfiguredChannel.secure(transport, endpoint, config.node(), config.pki(), config.peers(), true);
            ConfiguredChannel.serveUntil(stop, spec, endpoint, transport.build(), connection -> {}, () -> {});
        } finally {
            stop.done();
        }
        return ExitCodes.OK;
    }
}
