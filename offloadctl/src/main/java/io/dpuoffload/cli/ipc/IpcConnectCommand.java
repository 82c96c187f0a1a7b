package io.dpuoffload.cli.ipc;

import io.dpuoffload.cli.BadInputException;
import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.StopSignal;
import io.dpuoffload.config.ConfigException;
import io.dpuoffload.ipc.IpcNode;
import io.dpuoffload.ipc.config.IpcConfig;
import io.dpuoffload.ipc.config.IpcConfigLoader;
import io.dpuoffload.transport.Feature;
import io.dpuoffload.transport.OffloadClient;
import io.dpuoffload.transport.Services;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.net.Endpoint;
import io.dpuoffload.transport.tls.TlsContexts;
import io.dpuoffload.transport.tls.TlsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code offloadctl ipc connect --server ENDPOINT --config FILE}: the DPU side of offload-ipc. */
@Command(
        name = "connect",
        mixinStandardHelpOptions = true,
        description = {
            "Connect to a host's offload-ipc (DPU side) and serve in the foreground: this side's",
            "forwards reach the host's sockets, and the host's reach the sockets allowed here.",
            "",
            "Prints 'CONNECTED <endpoint>' once the channel is up; reconnects by itself;",
            "stops cleanly on SIGTERM or Ctrl-C."
        })
final class IpcConnectCommand implements Callable<Integer> {
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
            description = "The YAML configuration (node, pki, peers, forwards, allow, maxConnections; "
                    + "no listen); see docs/offload-ipc.md.")
    Path configFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Endpoint endpoint;
        try {
            endpoint = Endpoint.parse(server);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--server: " + e.getMessage());
        }
        IpcConfig config;
        try {
            config = IpcConfigLoader.load(configFile);
        } catch (ConfigException e) {
            throw new BadInputException(e.getMessage());
        }
        StopSignal stop = new StopSignal(Duration.ofSeconds(10));
        try (IpcNode node = new IpcNode(config)) {
            var transport = TransportConfig.builder(config.node())
                    .features(EnumSet.of(Feature.IPC))
                    .services(node.register(Services.builder()).build());
            if (!(endpoint instanceof Endpoint.Unix) || Files.isDirectory(config.pki())) {
                transport.tls(TlsContexts.forClient(
                        TlsFiles.inDirectory(config.pki(), config.node()).load()));
            }
            if (!config.peers().isEmpty()) {
                transport.peerPolicy(peer -> peer.isNode() && config.peers().contains(peer.name()));
            }
            try (OffloadClient client = OffloadClient.start(endpoint, transport.build(), node::connected)) {
                client.connection(Duration.ofSeconds(30));
                node.start();
                spec.commandLine().getOut().println("CONNECTED " + endpoint);
                spec.commandLine().getOut().flush();
                stop.await();
            }
        } finally {
            stop.done();
        }
        return ExitCodes.OK;
    }
}
