package io.dpuoffload.cli.agent;

import io.dpuoffload.agent.dpu.DpuAgent;
import io.dpuoffload.agent.host.HostAgent;
import io.dpuoffload.agent.host.HostStatusKeeper;
import io.dpuoffload.api.spec.ResolvedPair;
import io.dpuoffload.api.status.StatusText;
import io.dpuoffload.api.yaml.SpecFiles;
import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.StopSignal;
import io.dpuoffload.cli.channel.ConfiguredChannel;
import io.dpuoffload.fs.wire.FsFeature;
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

/** {@code offloadctl agent --role host|dpu --config pair.yaml}: one node of a pair, standalone. */
@Command(
        name = "agent",
        mixinStandardHelpOptions = true,
        subcommands = {AgentStatusCommand.class, AgentStopCommand.class, AgentKubernetesCommand.class},
        description = {
            "Run this node's agent for a host/DPU pair, in the foreground (standalone mode: no Kubernetes).",
            "host: serves offload-fs and offload-exec for the pair's profiles on one mutual-TLS listener.",
            "dpu: builds the offload root (see 'agent status'), serves its exec shims and starts the",
            "profiles' daemons in it. Prints 'READY'; SIGTERM, Ctrl-C or 'agent stop' takes everything",
            "down again. 'agent status' and 'agent stop' take --role host for the host agent."
        })
public final class AgentCommand implements Callable<Integer> {
    enum Role {
        host,
        dpu
    }

    // Not picocli-required: that would demand them of `agent status` and `agent stop` too.
    @Option(names = "--role", paramLabel = "host|dpu", description = "Which side this node is (required).")
    Role role;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "The pair's YAML (pair, host, dpu, pki, profiles), required; see docs/node-agent.md.")
    Path configFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (role == null || configFile == null) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(),
                    "agent needs --role host|dpu and --config FILE (or a subcommand: status, stop)");
        }
        ResolvedPair pair = ConfiguredChannel.load(configFile, SpecFiles::pair);
        Endpoint endpoint = ConfiguredChannel.serverEndpoint(spec, pair.hostEndpoint());
        StopSignal stop = new StopSignal(Duration.ofSeconds(60));
        try {
            if (role == Role.host) {
                try (HostAgent agent = HostAgent.create(pair);
                        HostStatusKeeper status =
                                HostStatusKeeper.start(pair.hostState(), agent, endpoint.toString())) {
                    var transport = TransportConfig.builder(pair.hostNode())
                            .features(Set.of(FsFeature.FILESYSTEM, IpcFeature.IPC))
                            .services(agent.register(Services.builder()).build());
                    ConfiguredChannel.secure(
                            transport, endpoint, pair.hostNode(), pair.pki(), Set.of(pair.dpuNode()), true);
                    ConfiguredChannel.serveUntil(stop, spec, endpoint, transport.build(), agent::connected, () -> {});
                }
            } else {
                var transport = TransportConfig.builder(pair.dpuNode());
                ConfiguredChannel.secure(
                        transport, endpoint, pair.dpuNode(), pair.pki(), Set.of(pair.hostNode()), false);
                try (DpuAgent agent = DpuAgent.start(pair, endpoint, transport.build())) {
                    StatusText.lines(agent.status()).forEach(spec.commandLine().getOut()::println);
                    spec.commandLine().getOut().println("READY " + pair.root());
                    spec.commandLine().getOut().flush();
                    stop.await();
                }
            }
        } finally {
            stop.done();
        }
        return ExitCodes.OK;
    }
}
