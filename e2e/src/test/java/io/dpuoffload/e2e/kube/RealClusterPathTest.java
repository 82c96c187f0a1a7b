package io.dpuoffload.e2e.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.OffloadProfile;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What can be checked here of the operator flow's real-cluster path (no cluster can run here): its
 * options, the samples it applies and retargets, and its install with the Fabric8 client alone,
 * rendered as kubectl renders the base and applied to Fabric8's mock API server.
 */
class RealClusterPathTest {
    private KubernetesMockServer server;
    private KubernetesClient client;

    @BeforeEach
    void startMock() {
        var responses = new HashMap<
                io.fabric8.mockwebserver.ServerRequest, java.util.Queue<io.fabric8.mockwebserver.ServerResponse>>();
        server = new KubernetesMockServer(
                new Context(), new MockWebServer(), responses, new KubernetesMixedDispatcher(responses), false);
        server.init();
        client = server.createClient();
    }

    @AfterEach
    void stopMock() {
        client.close();
        server.destroy();
    }

    @Test
    void aKubeconfigSelectsTheRealClusterWithItsNodesFromPropertiesOrTheEnvironment() {
        assertThat(ClusterOptions.from(name -> null, Map.of())).isEmpty();
        assertThat(ClusterOptions.from(name -> " ", Map.of())).isEmpty();

        Map<String, String> properties =
                Map.of(ClusterOptions.KUBECONFIG, "/tmp/kind.config", ClusterOptions.HOST_NODE, "kind-worker");
        Map<String, String> environment = Map.of("DPUO_DPU_NODE", "kind-worker2", "DPUO_HOST_NODE", "ignored");
        assertThat(ClusterOptions.from(properties::get, environment))
                .contains(new ClusterOptions(Path.of("/tmp/kind.config"), "kind-worker", "kind-worker2"));
        assertThat(ClusterOptions.from(name -> null, Map.of("DPUO_KUBECONFIG", "k")))
                .contains(new ClusterOptions(Path.of("k"), null, null));
    }

    @Test
    void theSamplesAreTheLibvirtProfileAndOnePairRetargetedToTheGivenNodes() throws Exception {
        Samples samples = Samples.load();
        OffloadNode shipped = samples.pair();
        assertThat(shipped.getSpec().profiles()).containsExactly("libvirt");
        assertThat(samples.profile("libvirt").getSpec().daemons()).isNotEmpty();

        OffloadNode onKind = samples.pairOf("kind-worker", "kind-worker2");
        assertThat(onKind.getSpec().hostNode()).isEqualTo("kind-worker");
        assertThat(onKind.getSpec().dpuNode()).isEqualTo("kind-worker2");
        assertThat(onKind.getSpec().transport()).isEqualTo(shipped.getSpec().transport());
        assertThat(onKind.getSpec().keepRunsFor()).isEqualTo(shipped.getSpec().keepRunsFor());
        assertThat(samples.pair().getSpec().hostNode())
                .as("the sample itself, untouched")
                .isEqualTo(shipped.getSpec().hostNode());
        assertThat(samples.pairOf(null, null).getSpec()).isEqualTo(shipped.getSpec());
    }

    /** The Fabric8 path's rendering of manifests/ is kubectl's, object for object (kubectl sorts them by kind; the client applies them in the files' order, the Namespace first). */
    @Test
    void theClientRendersTheBaseAsKubectlDoes() throws Exception {
        Assumptions.assumeTrue(
                io.dpuoffload.topology.Prerequisites.hasCommand("kubectl"), "kubectl renders the reference");
        List<Map<String, Object>> ours = Manifests.render(client, Manifests.BASE).stream()
                .map(RealClusterPathTest::tree)
                .toList();
        assertThat(ours)
                .as("in kubectl's order, by kind")
                .containsExactlyInAnyOrderElementsOf(kubectlKustomize(Manifests.BASE));
    }

    @Test
    void theClientInstallsTheCrdsTheBaseAndTheSamples() throws Exception {
        Manifests.createCrds(client);
        Manifests.applyBase(client);
        Manifests.applyBase(client); // again, as `kubectl apply` is: everything updated in place

        assertThat(client.apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .list()
                        .getItems())
                .extracting(crd -> crd.getMetadata().getName())
                .containsExactlyInAnyOrder("offloadnodes.dpuoffload.io", "offloadprofiles.dpuoffload.io");
        assertThat(client.namespaces().withName(RealFlowCluster.NAMESPACE).get())
                .isNotNull();
        Deployment operator = client.apps()
                .deployments()
                .inNamespace(RealFlowCluster.NAMESPACE)
                .withName("dpuo-operator")
                .get();
        assertThat(operator.getMetadata().getLabels()).containsEntry("app.kubernetes.io/part-of", "dpu-offload");
        DaemonSet agents = client.apps()
                .daemonSets()
                .inNamespace(RealFlowCluster.NAMESPACE)
                .withName("dpuo-node-agent")
                .get();
        assertThat(agents).isNotNull();

        Samples samples = Samples.load();
        for (OffloadProfile profile : samples.profiles()) {
            client.resource(profile).createOr(NonDeletingOperation::update);
        }
        client.resource(samples.pairOf("kind-worker", "kind-worker2")).createOr(NonDeletingOperation::update);
        OffloadNode applied = client.resources(OffloadNode.class)
                .withName(samples.pair().getMetadata().getName())
                .get();
        assertThat(applied.getSpec().hostNode()).isEqualTo("kind-worker");
        assertThat(client.resources(OffloadProfile.class).withName("libvirt").get())
                .isNotNull();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> tree(HasMetadata object) {
        return Serialization.unmarshal(Serialization.asJson(object), Map.class);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> kubectlKustomize(Path directory) throws Exception {
        Process process = new ProcessBuilder("kubectl", "kustomize", directory.toString())
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        String yaml = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(yaml).isZero();
        return Optional.of(yaml.split("(?m)^---$")).stream()
                .flatMap(java.util.Arrays::stream)
                .filter(document -> !document.isBlank())
                .map(document -> (Map<String, Object>) Serialization.unmarshal(document, Map.class))
                .toList();
    }
}
