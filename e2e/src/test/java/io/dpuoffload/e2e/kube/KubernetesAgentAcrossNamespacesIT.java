package io.dpuoffload.e2e.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dpuoffload.agent.kube.KubernetesAgent;
import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.node.AgentReport;
import io.dpuoffload.crd.node.DaemonReport;
import io.dpuoffload.crd.node.OffloadNodeSpec;
import io.dpuoffload.crd.node.PairConditions;
import io.dpuoffload.crd.node.PinnedProfile;
import io.dpuoffload.crd.node.TransportSpec;
import io.dpuoffload.crd.profile.ProfileResources;
import io.dpuoffload.e2e.kube.AgentReports.Side;
import io.dpuoffload.topology.NodeProcess;
import io.dpuoffload.topology.Topology;
import io.dpuoffload.topology.TopologyExtension;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Both agents in Kubernetes mode, in the namespace pair, against Fabric8's mock API server: the test
 * plays the operator (it creates the Secrets, the OffloadNode with a finalizer, and pins the profiles
 * in its status). The agents wait and say why until the profiles are pinned; then both report every
 * condition true, with the DPU's share mounted and its daemon running; a new revision restarts the
 * daemon with the new command; a rotated Secret rewrites the certificate files while everything keeps
 * running; an API server out of reach stops nothing and the reports resume; deletion leaves nothing.
 *
 * <p>The agents run as the DaemonSet runs them, with {@code --node-root}: each node's / is a {@link
 * NodeRoot} with an /opt that only that node has. The DPU's daemon and the host's program are
 * there and nowhere else, so the DPU's root must be built from its node's root, and the host must
 * start the program in its node's root.
 *
 * <p>The mock runs in this JVM on loopback; each node reaches it at its own loopback through {@link
 * ApiForwarder} and a Unix socket (see there), so no address crosses between the namespaces and the
 * root namespace.
 */
@ExtendWith(TopologyExtension.class)
class KubernetesAgentAcrossNamespacesIT {
    private static final Duration START = Duration.ofSeconds(90);
    /** A report without a change comes with the heartbeat; then the agent's next look and the write. */
    private static final Duration REPORT = KubernetesAgent.HEARTBEAT.plusSeconds(30);
    /** Long enough for the watches to notice and retry a few times. */
    private static final Duration OUTAGE = Duration.ofSeconds(8);

    private static final String NAMESPACE = "dpu-offload";
    private static final String PAIR = "pair-1";
    private static final String FINALIZER = "dpuoffload.io/teardown";
    /** In the host node's root only. */
    private static final String HOST_PROGRAM = "/opt/host-node/hello";
    /** In the DPU node's root only. */
    private static final String DPU_DAEMON = "/opt/dpu-node/sleeper";

    private Path work;
    /** The share's mount point on the DPU's /srv, made by the agent (removed by it on teardown). */
    private Path sharedAt;

    private MockApiServer api;
    private KubernetesClient kube;
    private Path nodeRoots;
    private NodeRoot hostNode;
    private NodeRoot dpuNode;

    @AfterEach
    void cleanUp() throws Exception {
        if (api != null) {
            api.close();
        }
        // before anything around them goes: a delete would not stop at a bind of the same disk
        if (hostNode != null) {
            hostNode.close();
        }
        if (dpuNode != null) {
            dpuNode.close();
        }
        if (nodeRoots != null) {
            Files.deleteIfExists(nodeRoots);
        }
        if (work != null) {
            io.dpuoffload.cli.WorkDirectory.delete(work);
        }
        if (sharedAt != null) {
            // Left only by a failed run, whose agents were killed before their teardown (empty then).
            Files.deleteIfExists(sharedAt);
        }
    }

    @Test
    void theAgentsRunTheirSidesReplanRotateRideOutTheApiServerAndTearDown(Topology topology) throws Exception {
        work = Files.createTempDirectory(Path.of("/var/tmp"), "kube-agent-it-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path hostData = Files.createDirectories(work.resolve("host-data"));
        Files.writeString(hostData.resolve("hello"), "from the host\n");
        sharedAt = Path.of("/srv", work.getFileName().toString());
        Path root = work.resolve("root");
        Path dpuK8sState = work.resolve("dpu-k8s");
        nodeRoots = Files.createTempDirectory(Path.of("/tmp"), "node-roots-"); // outside what they bind
        hostNode = NodeRoot.build(nodeRoots.resolve("host"));
        hostNode.script(HOST_PROGRAM, "echo \"$1 from $(cat /opt/host-node/name)\"");
        Files.writeString(hostNode.path().resolve("opt/host-node/name"), "the host node's root\n");
        dpuNode = NodeRoot.build(nodeRoots.resolve("dpu"));
        dpuNode.script(DPU_DAEMON, "exec /usr/bin/sleep \"$1\"");

        api = new MockApiServer(work.resolve("api.sock"), Path.of("..", "crds"));
        kube = api.client();
        Path kubeconfig = api.reachFrom(topology, work.resolve("kubeconfig"), NAMESPACE);

        SecretPki pki = new SecretPki(work.resolve("issued"));
        kube.secrets()
                .inNamespace(NAMESPACE)
                .resource(pki.issue("host-1", NAMESPACE))
                .create();
        kube.secrets()
                .inNamespace(NAMESPACE)
                .resource(pki.issue("dpu-1", NAMESPACE))
                .create();
        OffloadNode pair = new OffloadNode(
                PAIR, new OffloadNodeSpec("host-1", "dpu-1", TransportSpec.DEFAULT, List.of("sleeper"), null, null));
        pair.getMetadata().setFinalizers(List.of(FINALIZER));
        kube.resources(OffloadNode.class).resource(pair).create();

        NodeProcess host = topology.host()
                .start(AgentCommand.java(AgentCommand.inPod(
                        AgentCommand.host(
                                "host-1", kubeconfig, NAMESPACE, work.resolve("host-k8s"), Topology.HOST_ADDRESS),
                        hostNode.path())));
        NodeProcess dpu = topology.dpu()
                .start(AgentCommand.java(AgentCommand.inPod(
                        AgentCommand.dpu("dpu-1", kubeconfig, NAMESPACE, dpuK8sState, root, work.resolve("dpu-state")),
                        dpuNode.path())));
        host.awaitLine(Pattern.compile("READY .*"), START);
        dpu.awaitLine(Pattern.compile("READY .*"), START);

        // Until the operator pins the profiles, both wait and say why.
        await().atMost(START).untilAsserted(() -> {
            assertThat(reasons(report(Side.HOST))).containsOnly("WaitingForOperator");
            assertThat(reasons(report(Side.DPU))).containsOnly("WaitingForOperator");
        });

        pin("r1", sleeper("100001", hostData, sharedAt));
        await().atMost(START).untilAsserted(() -> {
            assertThat(statuses(report(Side.HOST)))
                    .as("host: %s", report(Side.HOST))
                    .containsOnly("True");
            assertThat(statuses(report(Side.DPU)))
                    .as("dpu: %s", report(Side.DPU))
                    .containsOnly("True");
        });
        AgentReport hostReport = report(Side.HOST);
        AgentReport dpuReport = report(Side.DPU);
        long generation = get().getMetadata().getGeneration();
        assertThat(conditionTypes(hostReport))
                .containsExactly(
                        PairConditions.CHANNEL_READY,
                        PairConditions.FILESYSTEM_READY,
                        PairConditions.IPC_READY,
                        PairConditions.EXEC_READY);
        assertThat(conditionTypes(dpuReport)).containsExactlyElementsOf(PairConditions.PARTS);
        assertThat(hostReport.channel().endpoint()).isEqualTo("tcp://198.51.100.1:7400");
        assertThat(hostReport.channel().connected()).isTrue();
        Path hostState = work.resolve("host-k8s/host-agent");
        await().atMost(START).untilAsserted(() -> assertThat(
                        io.dpuoffload.api.status.StatusFile.readHost(hostState).connectedSince())
                .as("the host agent's status, as `offloadctl agent status --role host` reads it in the pod")
                .isNotNull());
        assertThat(dpuReport.channel().endpoint()).isEqualTo("tcp://198.51.100.1:7400");
        assertThat(hostReport.profiles()).containsExactly("sleeper@r1");
        assertThat(dpuReport.profiles()).containsExactly("sleeper@r1");
        assertThat(hostReport.observedGeneration()).isEqualTo(generation);
        assertThat(dpuReport.observedGeneration()).isEqualTo(generation);
        assertThat(dpuReport.agent()).isNotBlank();
        assertThat(dpuReport.mounts()).anySatisfy(mount -> {
            assertThat(mount.target()).isEqualTo(root + sharedAt.toString());
            assertThat(mount.phase()).isEqualTo("APPLIED");
        });
        assertThat(get().getStatus().profiles())
                .as("the operator's part, untouched by the agents' reports")
                .extracting(PinnedProfile::revision)
                .containsExactly("r1");
        assertThat(dpu.runInside(START, "cat", root + sharedAt.toString() + "/hello")
                        .stdout())
                .as("the host's file through offload-fs in the root")
                .isEqualTo("from the host\n");
        long firstPid = daemon(dpuReport).pid();
        assertThat(commandLine(dpu, firstPid))
                .as("the daemon, which only the DPU node's root has")
                .contains("100001");
        assertThat(dpu.runInside(START, "chroot", root.toString(), HOST_PROGRAM, "hello")
                        .stdout())
                .as("a program only the host node's root has, started from the DPU's root")
                .isEqualTo("hello from the host node's root\n");

        // A new revision: the DPU side starts again with the new profile; the host serves the same
        // share, so it runs on (and with it whatever it runs for the DPU, e.g. a VM's QEMU).
        long hostConnections = hostReport.channel().connections();
        pin("r2", sleeper("100002", hostData, sharedAt));
        await().atMost(START).untilAsserted(() -> {
            AgentReport now = report(Side.DPU);
            assertThat(now.profiles()).containsExactly("sleeper@r2");
            assertThat(statuses(now)).containsOnly("True");
            assertThat(daemon(now).pid()).isNotEqualTo(firstPid);
        });
        long secondPid = daemon(report(Side.DPU)).pid();
        assertThat(commandLine(dpu, secondPid)).contains("100002");
        assertThat(alive(dpu, firstPid)).as("the first revision's daemon").isFalse();
        await().atMost(START).untilAsserted(() -> {
            AgentReport now = report(Side.HOST);
            assertThat(now.profiles()).containsExactly("sleeper@r2");
            assertThat(now.channel().connected()).isTrue();
            assertThat(now.channel().connections())
                    .as("the same listener, the DPU connected again")
                    .isGreaterThan(hostConnections);
        });

        // The Secret rotates: new files, the same agent and daemon.
        Secret rotated = pki.issue("dpu-1", NAMESPACE);
        kube.secrets().inNamespace(NAMESPACE).resource(rotated).update();
        Path certificate = dpuK8sState.resolve("pki").resolve("dpu-1.crt");
        await().atMost(START).until(() -> Files.readString(certificate).equals(SecretPki.certificate(rotated)));
        assertThat(dpu.isAlive()).isTrue();
        assertThat(daemon(report(Side.DPU)).pid()).isEqualTo(secondPid);
        assertThat(alive(dpu, secondPid)).isTrue();

        // The API server out of reach: nothing stops; the reports resume when it is back, and the
        // watches too: the host's Secret, rotated meanwhile, reaches its files.
        api.cut();
        Secret rotatedMeanwhile = pki.issue("host-1", NAMESPACE);
        kube.secrets().inNamespace(NAMESPACE).resource(rotatedMeanwhile).update();
        Thread.sleep(OUTAGE.toMillis());
        assertThat(alive(dpu, secondPid))
                .as("the daemon, while the API server is away")
                .isTrue();
        api.restore();
        Instant back = Instant.now().minusSeconds(1);
        await().atMost(REPORT).untilAsserted(() -> {
            assertThat(Instant.parse(report(Side.HOST).reported())).isAfter(back);
            assertThat(Instant.parse(report(Side.DPU).reported())).isAfter(back);
        });
        Path hostCertificate = work.resolve("host-k8s").resolve("pki").resolve("host-1.crt");
        await().atMost(START)
                .until(() -> Files.readString(hostCertificate).equals(SecretPki.certificate(rotatedMeanwhile)));
        assertThat(statuses(report(Side.HOST))).containsOnly("True");
        assertThat(report(Side.HOST).channel().requests())
                .as("requests the host served for its DPU (the share's file, the program's start)")
                .isPositive();
        assertThat(daemon(report(Side.DPU)).pid()).isEqualTo(secondPid);
        assertThat(statuses(report(Side.DPU))).containsOnly("True");

        // Deletion: the finalizer holds the resource until both sides say they are torn down.
        kube.resources(OffloadNode.class).withName(PAIR).delete();
        await().atMost(START).untilAsserted(() -> {
            assertThat(report(Side.HOST).tornDown()).isTrue();
            assertThat(report(Side.DPU).tornDown()).isTrue();
        });
        assertThat(alive(dpu, secondPid)).as("the daemon").isFalse();
        assertThat(dpu.runInside(START, "cat", "/proc/self/mountinfo").stdout())
                .as("no mount left under the root")
                .doesNotContain(root.toString());
        assertThat(root).doesNotExist();
        assertThat(sharedAt).as("the mount point the agent created").doesNotExist();
        assertThat(dpuNode.path().resolve("opt/host-node"))
                .as("the program's shim's mount point, made on the DPU node's disk")
                .doesNotExist();
        kube.resources(OffloadNode.class).withName(PAIR).edit(node -> {
            node.getMetadata().setFinalizers(List.of());
            return node;
        });
        await().atMost(START).until(() -> get() == null);

        host.stop();
        dpu.stop();
        assertThat(dpu.stdout() + dpu.stderr()).doesNotContain("Exception in thread");
    }

    private OffloadNode get() {
        return kube.resources(OffloadNode.class).withName(PAIR).get();
    }

    private AgentReport report(Side side) {
        return AgentReports.of(get(), side);
    }

    /**
     * The operator's part: pins the profile at {@code revision}, by a patch of status.profiles only
     * (a JSON Patch: the mock merges arrays of a merge patch by appending).
     */
    private void pin(String revision, String profileYaml) {
        var pinned = List.of(new PinnedProfile("sleeper", revision, ProfileResources.fromProfileYaml(profileYaml)));
        kube.resources(OffloadNode.class)
                .withName(PAIR)
                .subresource("status")
                .patch(
                        PatchContext.of(PatchType.JSON),
                        Serialization.asJson(
                                List.of(Map.of("op", "add", "path", "/status/profiles", "value", pinned))));
    }

    private static String sleeper(String seconds, Path hostData, Path sharedAt) {
        return """
                shares:
                  - {name: data, hostPath: %s, path: %s}
                programs: [%s]
                daemons:
                  - name: sleeper
                    command: [%s, "%s"]
                """.formatted(hostData, sharedAt, HOST_PROGRAM, DPU_DAEMON, seconds);
    }

    private static DaemonReport daemon(AgentReport report) {
        assertThat(report.daemons()).hasSize(1);
        DaemonReport daemon = report.daemons().getFirst();
        assertThat(daemon.running()).isTrue();
        return daemon;
    }

    private static List<String> statuses(AgentReport report) {
        return AgentReports.statuses(report);
    }

    private static List<String> reasons(AgentReport report) {
        return AgentReports.reasons(report);
    }

    private static List<String> conditionTypes(AgentReport report) {
        return AgentReports.types(report);
    }

    /** Whether {@code pid} (in the DPU node's PID namespace) is a live process there. */
    private static boolean alive(NodeProcess dpu, long pid) {
        return dpu.runInside(START, "test", "-d", "/proc/" + pid).exitCode() == 0;
    }

    private static String commandLine(NodeProcess dpu, long pid) {
        return dpu.runInside(START, "cat", "/proc/" + pid + "/cmdline").stdout().replace('\0', ' ');
    }
}
