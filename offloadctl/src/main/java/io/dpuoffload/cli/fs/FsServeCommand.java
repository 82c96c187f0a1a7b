package io.dpuoffload.cli.fs;

import io.dpuoffload.cli.BadInputException;
import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.StopSignal;
import io.dpuoffload.cli.channel.ConfiguredChannel;
import io.dpuoffload.config.ConfigException;
import io.dpuoffload.fs.config.FsServerConfig;
import io.dpuoffload.fs.config.FsServerConfigLoader;
import io.dpuoffload.fs.host.FsServer;
import io.dpuoffload.fs.wire.FsFeature;
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

/** {@code offloadctl fs serve --config FILE}: the host side of offload-fs. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve the exports of a configuration file to DPUs (host side).",
            "",
            "Prints 'READY <endpoint>' once listening; stops cleanly on SIGTERM or Ctrl-C.",
            "Denied operations are logged on the 'dpuoffload.audit' logger."
        })
final class FsServeCommand implements Callable<Integer> {
    @Option(
            names = "--config",
            paramLabel = "FILE",
            required = true,
            description = "The YAML configuration "
                    + "(node, listen, pki, peers, exports with their allowlists); see docs/offload-fs.md.")
    Path configFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        FsServerConfig config;
        Endpoint endpoint;
        try {
            config = FsServerConfigLoader.load(configFile);
            endpoint = Endpoint.parse(config.listen());
        } catch (ConfigException | IllegalArgumentException e) {
            throw new BadInputException(configFile + ": " + e.getMessage());
        }
        StopSignal stop = new StopSignal(Duration.ofSeconds(10));
        try (FsServer fs = new FsServer(config)) {
            var transport = TransportConfig.builder(config.node())
                    .features(Set.of(FsFeature.FILESYSTEM))
                    .services(fs.register(Services.builder()).build());
            ConfiguredChannel.secure(transport, endpoint, config.node(), config.pki(), config.peers(), true);
            ConfiguredChannel.serveUntil(stop, spec, endpoint, transport.build(), connection -> {}, () -> {});
        } finally {
            stop.done();
        }
        return ExitCodes.OK;
    }
}
