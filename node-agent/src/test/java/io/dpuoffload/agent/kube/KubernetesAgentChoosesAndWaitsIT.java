package io.dpuoffload.agent.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.node.AgentReport;
import io.dpuoffload.crd.node.OffloadNodeSpec;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's choices against Fabric8's mock API server, with nothing to run (no Secret, no pinned
 * profiles), so no side starts: it says why it waits, refuses a second pair for the same role and
 * says which pair it serves, reports a pair being deleted as torn down, and then takes up the other.
 */
class KubernetesAgentChoosesAndWaitsIT {
    private static final Duration REPORT = Duration.ofSeconds(30);
    private static final String FINALIZER = "dpuoffload.io/teardown";

    @TempDir
    Path state;

    private KubernetesMockServer server;
    private KubernetesClient kube;
    private KubernetesAgent agent;

    @BeforeEach
    void startApiServer() throws Exception {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        server = new KubernetesMockServer(
                new Context(), new MockWebServer(), responses, new KubernetesMixedDispatcher(responses), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        kube = server.createClient();
        kube.apiextensions()
                .v1()
                .customResourceDefinitions()
                .load(Files.newInputStream(Path.of("..", "crds", "offloadnodes.dpuoffload.io-v1.yml")))
                .create();
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        kube.close();
        server.destroy();
    }

    @Test
    void oneHostPairIsServedTheOtherIsRefusedAndADeletedOneIsTornDown() throws Exception {
        create("first");
        Thread.sleep(1100); // creationTimestamp has seconds: "first" is the older
        create("second");
        agent = KubernetesAgent.start(
                kube,
                new AgentSettings(
                        "host-1",
                        "test-agent 0.1.0",
                        Resources.NAMESPACE,
                        state,
                        "198.51.100.1",
                        state.resolve("root"),
                        state.resolve("dpu")));

        await().atMost(REPORT).untilAsserted(() -> {
            assertThat(reasons("first")).containsOnly("WaitingForOperator");
            assertThat(messages("first")).allMatch(m -> m.contains("dpu-offload/dpuo-node-host-1"));
            assertThat(reasons("second")).containsOnly("NodeInAnotherPair");
            assertThat(messages("second")).allMatch(m -> m.contains("OffloadNode first"));
        });
        assertThat(host("first").agent()).isEqualTo("test-agent 0.1.0");
        assertThat(host("first").observedGeneration()).isEqualTo(1);
        assertThat(kube.resources(OffloadNode.class)
                        .withName("first")
                        .get()
                        .getStatus()
                        .dpu())
                .as("the DPU's part, which this agent never writes")
                .isNull();

        kube.resources(OffloadNode.class).withName("first").delete();
        await().atMost(REPORT).untilAsserted(() -> {
            assertThat(host("first").tornDown()).isTrue();
            assertThat(reasons("second")).containsOnly("WaitingForOperator");
        });
    }

    /**
     * A DPU agent that starts while its pair is being deleted (its predecessor was killed, or
     * restarted mid-deletion) finds the root that one left, mounts and all: it clears it before it
     * says the DPU side is torn down.
     */
    @Test
    void aDpuAgentStartedDuringTheDeletionClearsTheRootItsPredecessorLeft() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                "root".equals(System.getProperty("user.name")), "mounts need root (CI runs as root)");
        create("gone");
        kube.resources(OffloadNode.class).withName("gone").delete(); // held by the finalizer
        Path root = state.resolve("root");
        Path dpuState = state.resolve("dpu");
        Path data = Files.createDirectories(state.resolve("dpu-data"));
        new io.dpuoffload.agent.plan.PlanApplier(
                        new io.dpuoffload.agent.plan.MountPlan(
                                root,
                                List.of(
                                        new io.dpuoffload.agent.plan.MountStep.Tmpfs(root, "mode=0755,size=1m"),
                                        new io.dpuoffload.agent.plan.MountStep.Bind(
                                                data, root.resolve("srv/data"), true))),
                        share -> () -> {},
                        dpuState)
                .apply(); // the predecessor, killed before its teardown
        try {
            agent = KubernetesAgent.start(
                    kube,
                    new AgentSettings("dpu-1", "test-agent 0.1.0", Resources.NAMESPACE, state, null, root, dpuState));

            await().atMost(REPORT).untilAsserted(() -> assertThat(kube.resources(OffloadNode.class)
                            .withName("gone")
                            .get()
                            .getStatus()
                            .dpu()
                            .tornDown())
                    .isTrue());
            assertThat(io.dpuoffload.agent.plan.MountTable.under(root))
                    .as("no mount left of the earlier agent's root")
                    .isEmpty();
            assertThat(root).doesNotExist();
        } finally {
            io.dpuoffload.agent.plan.RootLeftovers.clear(root, dpuState); // a failed run's mounts go too
        }
    }

    private void create(String name) {
        OffloadNode resource =
                new OffloadNode(name, new OffloadNodeSpec("host-1", "dpu-1", null, List.of("sleeper"), null, null));
        resource.getMetadata().setFinalizers(List.of(FINALIZER));
        kube.resources(OffloadNode.class).resource(resource).create();
    }

    private AgentReport host(String name) {
        OffloadNode resource = kube.resources(OffloadNode.class).withName(name).get();
        assertThat(resource.getStatus()).isNotNull();
        assertThat(resource.getStatus().host()).isNotNull();
        return resource.getStatus().host();
    }

    private List<String> reasons(String name) {
        return host(name).conditions().stream().map(Condition::getReason).toList();
    }

    private List<String> messages(String name) {
        return host(name).conditions().stream().map(Condition::getMessage).toList();
    }
}
