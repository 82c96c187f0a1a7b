package io.dpuoffload.e2e.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.cli.WorkDirectory;
import io.dpuoffload.cli.demo.LibvirtSandbox;
import io.dpuoffload.crd.NodeRoles;
import io.dpuoffload.crd.node.DaemonReport;
import io.dpuoffload.e2e.AgentProcesses;
import io.dpuoffload.operator.OperatorRuntime;
import io.dpuoffload.operator.OperatorSettings;
import io.dpuoffload.topology.CommandResult;
import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.Topology;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The flow's cluster on this machine: Fabric8's mock API server with the committed CRDs, the two
 * Nodes (role-labelled, named as the agents' {@code --node}), the operator in this JVM (no leader
 * election), and both agents, {@code offloadctl agent kubernetes}, in the namespace pair, each
 * reaching the API server at its own loopback ({@link MockApiServer#reachFrom}).
 *
 * <p>The agents run in a {@link LibvirtSandbox}, as in the libvirt end-to-end test: directories of
 * the work directory stand over the paths the libvirt profile names (the host's /var/lib; the DPU's
 * /var/lib, /var/cache, /var/log, /etc/libvirt), so the profile runs as it ships and the machine's
 * own libvirt state is never touched; the DPU is a "machine" whose init reaps what libvirtd's QEMU
 * probes leave, with its agent beside it.
 */
final class LocalFlowCluster implements FlowCluster {
    static final String NAMESPACE = "dpu-offload";
    /** libvirtd's start and first health check take seconds; QEMU's capability probe, on TCG, more. */
    private static final Bounds BOUNDS =
            new Bounds(Duration.ofSeconds(120), Duration.ofSeconds(120), Duration.ofSeconds(60));

    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration COMMAND = Duration.ofSeconds(60);
    /** The DPU agent's SIGTERM takes libvirtd and virtlogd down in order, then the mounts. */
    private static final Duration DPU_STOP_GRACE = Duration.ofSeconds(60);
    /** The host agent's transport port, the sample's {@code spec.transport.port}. */
    private static final int HOST_PORT = 7400;

    private final Path work;
    private final Path root;
    private final MockApiServer api;
    private OperatorRuntime operator;
    private NodeProcess host;
    private NodeProcess dpuMachine;
    private NodeProcess dpu;

    private LocalFlowCluster(Path work, MockApiServer api) {
        this.work = work;
        this.root = work.resolve("root");
        this.api = api;
    }

    /** Everything started and both agents watching; {@code hostNode} and {@code dpuNode} are the Nodes' names. */
    static LocalFlowCluster start(Topology topology, String hostNode, String dpuNode) throws Exception {
        Path work = Files.createTempDirectory(Path.of("/var/tmp"), "operator-flow-it-");
        LocalFlowCluster cluster;
        try {
            cluster = new LocalFlowCluster(work, new MockApiServer(work.resolve("api.sock"), Path.of("..", "crds")));
        } catch (Exception e) {
            WorkDirectory.delete(work);
            throw e;
        }
        try {
            cluster.startAll(topology, hostNode, dpuNode);
            return cluster;
        } catch (Exception | Error e) {
            System.err.println(cluster.logs());
            cluster.close();
            throw e;
        }
    }

    private void startAll(Topology topology, String hostNode, String dpuNode) throws Exception {
        LibvirtSandbox sandbox = LibvirtSandbox.create(work, "dpuo-flow");
        KubernetesClient kube = api.client();
        node(kube, hostNode, NodeRoles.HOST);
        node(kube, dpuNode, NodeRoles.DPU);
        operator = OperatorRuntime.start(
                kube, new OperatorSettings(NAMESPACE, "operator-flow-it", 0, false, false, Clock.systemUTC()));

        Path kubeconfig = api.reachFrom(topology, work.resolve("kubeconfig"), NAMESPACE);
        host = topology.host()
                .start(
                        sandbox.onHost(AgentCommand.java(AgentCommand.host(
                                hostNode, kubeconfig, NAMESPACE, work.resolve("host-k8s"), Topology.HOST_ADDRESS))),
                        AgentProcesses.options());
        dpuMachine = topology.dpu().start(sandbox.onDpu(LibvirtSandbox.DPU_INIT));
        dpu = dpuMachine.startInside(
                AgentCommand.java(AgentCommand.dpu(
                        dpuNode, kubeconfig, NAMESPACE, work.resolve("dpu-k8s"), root, work.resolve("dpu-state"))),
                AgentProcesses.options().withStopGrace(DPU_STOP_GRACE));
        host.awaitLine(Pattern.compile("READY .*"), START);
        dpu.awaitLine(Pattern.compile("READY .*"), START);
    }

    private static void node(KubernetesClient kube, String name, String role) {
        kube.nodes()
                .resource(new NodeBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .addToLabels(NodeRoles.LABEL, role)
                        .endMetadata()
                        .build())
                .create();
    }

    @Override
    public KubernetesClient client() {
        return api.client();
    }

    @Override
    public String namespace() {
        return NAMESPACE;
    }

    @Override
    public Bounds bounds() {
        return BOUNDS;
    }

    @Override
    public Optional<NodeSides> nodes() {
        return Optional.of(new Sides());
    }

    @Override
    public String logs() {
        return log("host agent", host) + log("DPU agent", dpu);
    }

    private static String log(String whose, NodeProcess agent) {
        return agent == null ? "" : "---- " + whose + "\n" + agent.stdout() + agent.stderr();
    }

    private final class Sides implements NodeSides {
        @Override
        public String virshInRoot(String... args) {
            CommandResult result = LibvirtSandbox.virshInRoot(dpu, root, COMMAND, List.of(args));
            assertThat(result.exitCode())
                    .as("virsh %s in the DPU's root: %s", String.join(" ", args), result)
                    .isZero();
            return result.stdout();
        }

        @Override
        public String readInRoot(String path) {
            return dpu.runInside(COMMAND, "cat", root + path).orThrow().stdout();
        }

        @Override
        public void assertNothingLeft(List<DaemonReport> daemons, List<String> rootFiles) {
            assertThat(host.isAlive())
                    .as("the host agent, after the pair's teardown")
                    .isTrue();
            assertThat(dpu.isAlive())
                    .as("the DPU agent, after the pair's teardown")
                    .isTrue();
            assertThat(dpuMachine
                            .runInside(COMMAND, "cat", "/proc/self/mountinfo")
                            .stdout())
                    .as("the DPU's mounts: none under the root")
                    .doesNotContain(root.toString());
            for (DaemonReport daemon : daemons) {
                assertThat(dpuMachine
                                .runInside(COMMAND, "test", "-d", "/proc/" + daemon.pid())
                                .exitCode())
                        .as("daemon %s (pid %d on the DPU)", daemon.name(), daemon.pid())
                        .isNotZero();
            }
            assertThat(libvirtDaemons(dpuMachine))
                    .as("libvirt's daemons on the DPU")
                    .isEmpty();
            assertThat(root).as("the DPU's offload root").doesNotExist();
            for (String file : rootFiles) {
                // The file's mount point was made on the DPU's own /etc/libvirt (the sandbox's).
                assertThat(work.resolve("dpu/etc-libvirt").resolve(Path.of(file).getFileName()))
                        .as("the mount point of the profile's file %s on the DPU's disk", file)
                        .doesNotExist();
            }
            assertThat(host.runInside(COMMAND, "ss", "-Hltn", "sport = :" + HOST_PORT)
                            .orThrow()
                            .stdout())
                    .as("the host's listener on port %d", HOST_PORT)
                    .isBlank();
        }
    }

    /** Command lines of the libvirtd and virtlogd processes on {@code machine}. */
    private static List<String> libvirtDaemons(NodeProcess machine) {
        String out = machine.runInside(COMMAND, "sh", "-c", """
                        for p in /proc/[0-9]*; do
                            case "$(readlink $p/exe 2>/dev/null)" in
                                */libvirtd|*/virtlogd) tr '\\0' ' ' <$p/cmdline; echo;;
                            esac
                        done
                        """).stdout();
        return out.lines().filter(line -> !line.isBlank()).toList();
    }

    @Override
    public void close() throws Exception {
        for (NodeProcess process : new NodeProcess[] {dpu, dpuMachine, host}) {
            if (process != null) {
                process.stop();
            }
        }
        if (operator != null) {
            operator.close();
        }
        api.close();
        WorkDirectory.delete(work);
    }
}
