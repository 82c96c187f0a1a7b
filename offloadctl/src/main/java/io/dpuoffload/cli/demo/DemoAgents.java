package io.dpuoffload.cli.demo;

import io.dpuoffload.cli.Offloadctl;
import io.dpuoffload.cli.agent.AgentJvm;
import io.dpuoffload.cli.channel.DemoPki;
import io.dpuoffload.topology.Node;
import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.StartOptions;
import io.dpuoffload.topology.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The demo's pair of node agents: their pair file, their command lines, the DPU agent's start. */
final class DemoAgents {
    /** As the launcher starts an agent: {@link AgentJvm#OPTIONS}. */
    private static final List<String> JVM = Stream.concat(
                    Stream.of("--enable-native-access=ALL-UNNAMED", "-XX:-UsePerfData"), AgentJvm.OPTIONS.stream())
            .toList();
    /** An agent builds its root and starts its daemons within this (libvirtd's capability probes are the slowest). */
    static final Duration START = Duration.ofSeconds(120);

    private DemoAgents() {}

    /** Throwaway certificates and the pair file under {@code work}, with {@code profile}; the file's path. */
    static Path writePair(Path work, String profile) throws IOException {
        DemoPki pki = DemoPki.create(work.resolve("pki"));
        return Files.writeString(work.resolve("pair.yaml"), """
                pair: demo
                host: {node: %s, endpoint: tcp://%s:7400, state: %s}
                dpu: {node: %s, root: %s, state: %s}
                pki: %s
                profiles: [%s]
                """.formatted(
                        DemoPki.HOST,
                        Topology.HOST_ADDRESS,
                        work.resolve("host-state"),
                        DemoPki.DPU,
                        work.resolve("root"),
                        work.resolve("state"),
                        pki.directory(),
                        profile));
    }

    /** The demo's first step: where the two nodes are. */
    static String network(Topology topology) {
        return "Network: host " + topology.host().address() + " (netns "
                + topology.host().namespace() + "), DPU "
                + topology.dpu().address() + " (netns " + topology.dpu().namespace()
                + "), mutual TLS between them";
    }

    static List<String> command(String role, Path pair) {
        return Node.javaCommand(
                Offloadctl.class.getName(), JVM, List.of("agent", "--role", role, "--config", pair.toString()));
    }

    /** The DPU agent, started beside the DPU machine's init (so what it started on the host outlives it). */
    static NodeProcess startDpuAgent(NodeProcess dpuMachine, Path pair) {
        NodeProcess agent = dpuMachine.startInside(
                command("dpu", pair), StartOptions.defaults().withStopGrace(Duration.ofSeconds(60)));
        agent.awaitLine(Pattern.compile("READY .*"), START);
        return agent;
    }
}
