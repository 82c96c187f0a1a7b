package io.dpuoffload.crd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dpuoffload.crd.testing.CrdSchemas;
import io.dpuoffload.crd.testing.Kustomize;
import io.dpuoffload.crd.testing.RbacRules;
import io.dpuoffload.crd.testing.RepoFiles;
import io.dpuoffload.crd.testing.Resources;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl apply -k manifests/} installs what the docs promise: the operator and the node
 * agent in namespace dpu-offload, each with only the permissions it needs, the agent privileged
 * with the node's processes, network and the host paths it serves, the operator locked down with
 * its probes and memory limit; and {@code kubectl apply -k manifests/samples} sends resources the
 * CRDs accept. Rendered by the machine's kubectl, offline.
 */
class ManifestsTest {
    static final String NAMESPACE = "dpu-offload";
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding");

    private static List<JsonNode> base;

    @BeforeAll
    static void render() throws IOException, InterruptedException {
        Kustomize.unavailable().ifPresent(reason -> System.out.println("ManifestsTest skipped: " + reason));
        assumeThat(Kustomize.unavailable())
                .as("kubectl to render the manifests")
                .isEmpty();
        base = Kustomize.render(RepoFiles.manifests());
    }

    @Test
    void theBaseHoldsTheOperatorTheAgentAndTheirRbac() {
        assertThat(base)
                .extracting(Resources::id)
                .containsExactlyInAnyOrder(
                        "Namespace/dpu-offload",
                        "ServiceAccount/dpuo-operator",
                        "ClusterRole/dpuo-operator",
                        "ClusterRoleBinding/dpuo-operator",
                        "Role/dpuo-operator",
                        "RoleBinding/dpuo-operator",
                        "Deployment/dpuo-operator",
                        "ServiceAccount/dpuo-agent",
                        "ClusterRole/dpuo-agent",
                        "ClusterRoleBinding/dpuo-agent",
                        "Role/dpuo-agent-secrets",
                        "RoleBinding/dpuo-agent-secrets",
                        "DaemonSet/dpuo-node-agent");
    }

    @Test
    void everyNamespacedObjectIsInDpuOffload() {
        for (JsonNode object : base) {
            String namespace = object.path("metadata").path("namespace").asText();
            if (CLUSTER_SCOPED.contains(object.path("kind").asText())) {
                assertThat(namespace).as(Resources.id(object)).isEmpty();
            } else {
                assertThat(namespace).as(Resources.id(object)).isEqualTo(NAMESPACE);
            }
        }
    }

    @Test
    void theAgentMayReadOffloadNodesAndPatchTheirStatusNothingMore() {
        assertThat(RbacRules.permissions(base, NAMESPACE, "dpuo-agent"))
                .containsExactlyInAnyOrder(
                        "cluster dpuoffload.io/offloadnodes get",
                        "cluster dpuoffload.io/offloadnodes list",
                        "cluster dpuoffload.io/offloadnodes watch",
                        "cluster dpuoffload.io/offloadnodes/status patch");
    }

    @Test
    void theAgentsSecretsRoleShipsEmptyForTheOperatorToFill() {
        JsonNode role = object("Role", "dpuo-agent-secrets");

        // The operator names the per-node Secrets in it; a rule shipped here would reach the CA's too.
        assertThat(role.has("rules"))
                .as("rules in the shipped Role dpuo-agent-secrets")
                .isFalse();
        JsonNode binding = object("RoleBinding", "dpuo-agent-secrets");
        assertThat(binding.at("/subjects/0/name").asText()).isEqualTo("dpuo-agent");
        assertThat(RbacRules.role(base, binding)).isEqualTo(role);
    }

    @Test
    void theOperatorHasOnlyWhatItUses() {
        Set<String> expected = new java.util.TreeSet<>();
        for (String resource : List.of("offloadprofiles", "offloadnodes")) {
            for (String verb : List.of("get", "list", "watch", "patch", "update")) {
                expected.add("cluster dpuoffload.io/" + resource + " " + verb);
            }
            for (String verb : List.of("get", "patch", "update")) {
                expected.add("cluster dpuoffload.io/" + resource + "/status " + verb);
            }
            expected.add("cluster dpuoffload.io/" + resource + "/finalizers update");
        }
        for (String verb : List.of("get", "list", "watch")) {
            expected.add("cluster core/nodes " + verb);
        }
        for (String group : List.of("core", "events.k8s.io")) {
            expected.add("cluster " + group + "/events create");
            expected.add("cluster " + group + "/events patch");
        }
        expected.add("cluster authorization.k8s.io/selfsubjectrulesreviews create");
        for (String verb : List.of("get", "list", "watch", "create", "update", "patch", "delete")) {
            expected.add("dpu-offload core/secrets " + verb);
        }
        for (String verb : List.of("get", "create", "update", "patch")) {
            expected.add("dpu-offload coordination.k8s.io/leases " + verb);
        }
        for (String verb : List.of("get", "update", "patch")) {
            expected.add("dpu-offload rbac.authorization.k8s.io/roles[dpuo-agent-secrets] " + verb);
        }
        expected.add("dpu-offload rbac.authorization.k8s.io/roles create");

        assertThat(RbacRules.permissions(base, NAMESPACE, "dpuo-operator"))
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void noRoleGrantsAWildcard() {
        for (JsonNode object : base) {
            for (JsonNode rule : object.path("rules")) {
                assertThat(rule.toString()).as(Resources.id(object)).doesNotContain("\"*\"");
            }
        }
    }

    @Test
    void theNodeAgentRunsOnHostAndDpuNodesPrivilegedWithTheNodesProcessesAndNetwork() {
        JsonNode pod = object("DaemonSet", "dpuo-node-agent").at("/spec/template/spec");
        JsonNode container = pod.at("/containers/0");

        assertThat(pod.path("containers").size()).isEqualTo(1);
        assertThat(pod.path("serviceAccountName").asText()).isEqualTo("dpuo-agent");
        JsonNode expression = pod.at("/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution"
                + "/nodeSelectorTerms/0/matchExpressions/0");
        assertThat(expression.path("key").asText()).isEqualTo("dpuoffload.io/role");
        assertThat(expression.path("operator").asText()).isEqualTo("In");
        assertThat(texts(expression.path("values"))).containsExactlyInAnyOrder("host", "dpu");
        assertThat(container.path("image").asText()).isEqualTo("localhost/dpuoffload/node-agent:0.1.0");
        assertThat(container.path("imagePullPolicy").asText()).isEqualTo("IfNotPresent");
        assertThat(texts(container.path("args")))
                .as("the daemons and programs are the node's, from its root at /host")
                .containsExactly("agent", "kubernetes", "--node", "$(NODE_NAME)", "--node-root", "/host");
        assertThat(fieldRefs(container))
                .containsEntry("NODE_NAME", "spec.nodeName")
                .containsEntry("POD_NAME", "metadata.name")
                .containsEntry("POD_NAMESPACE", "metadata.namespace");
        assertThat(container.at("/securityContext/privileged").asBoolean()).isTrue();
        assertThat(pod.path("hostPID").asBoolean()).isTrue();
        assertThat(pod.path("hostNetwork").asBoolean()).isTrue();
        assertThat(pod.path("terminationGracePeriodSeconds").asInt()).isGreaterThanOrEqualTo(60);
        assertThat(container.at("/resources/limits/memory").isMissingNode())
                .as("no memory limit: the VMs' QEMU on a host is in the agent's cgroup")
                .isTrue();
    }

    @Test
    void theNodeAgentMountsOnlyTheHostPathsItNeeds() {
        JsonNode pod = object("DaemonSet", "dpuo-node-agent").at("/spec/template/spec");
        Map<String, JsonNode> volumes = new HashMap<>();
        pod.path("volumes").forEach(v -> volumes.put(v.path("name").asText(), v));
        Map<String, String> hostPathAt = new HashMap<>();
        Map<String, String> propagationAt = new HashMap<>();
        for (JsonNode mount : pod.at("/containers/0/volumeMounts")) {
            JsonNode volume = volumes.get(mount.path("name").asText());
            assertThat(volume).as("the volume of mount " + mount).isNotNull();
            hostPathAt.put(
                    mount.path("mountPath").asText(),
                    volume.at("/hostPath/path").asText() + " "
                            + volume.at("/hostPath/type").asText());
            propagationAt.put(
                    mount.path("mountPath").asText(),
                    mount.path("mountPropagation").asText("None"));
        }

        assertThat(hostPathAt)
                .containsOnly(
                        Map.entry("/dev/fuse", "/dev/fuse CharDevice"),
                        Map.entry("/run/dpu-offload", "/run/dpu-offload DirectoryOrCreate"),
                        Map.entry("/host", "/ Directory"));
        // The root's mounts, made in the container, must be the node's; the node's root only comes in.
        assertThat(propagationAt)
                .containsOnly(
                        Map.entry("/dev/fuse", "None"),
                        Map.entry("/run/dpu-offload", "Bidirectional"),
                        Map.entry("/host", "HostToContainer"));
    }

    @Test
    void theOperatorIsLockedDownWithProbesMetricsAndAMemoryLimit() {
        JsonNode template = object("Deployment", "dpuo-operator").at("/spec/template");
        JsonNode pod = template.path("spec");
        JsonNode container = pod.at("/containers/0");

        assertThat(pod.path("serviceAccountName").asText()).isEqualTo("dpuo-operator");
        assertThat(container.path("image").asText()).isEqualTo("localhost/dpuoffload/operator:0.1.0");
        assertThat(container.path("imagePullPolicy").asText()).isEqualTo("IfNotPresent");
        assertThat(fieldRefs(container)).containsEntry("POD_NAMESPACE", "metadata.namespace");
        assertThat(httpGet(container, "livenessProbe")).isEqualTo("/healthz 8080");
        assertThat(httpGet(container, "readinessProbe")).isEqualTo("/readyz 8080");
        JsonNode annotations = template.at("/metadata/annotations");
        assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
        assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo("8080");
        assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/metrics");
        assertThat(container.at("/resources/limits/memory").asText()).isEqualTo("256Mi");
        assertThat(container.at("/resources/requests/memory").asText()).isNotEmpty();
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean())
                .isTrue();
        assertThat(container.at("/securityContext/allowPrivilegeEscalation").isBoolean())
                .isTrue();
        assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean())
                .isFalse();
        assertThat(container.at("/securityContext/privileged").asBoolean()).isFalse();
        assertThat(pod.path("hostPID").asBoolean() || pod.path("hostNetwork").asBoolean())
                .isFalse();
        assertThat(pod.path("volumes").findValues("hostPath")).isEmpty();
    }

    @Test
    void theSamplesKustomizationSendsResourcesTheCrdsAccept() throws IOException, InterruptedException {
        List<JsonNode> samples = Kustomize.render(RepoFiles.manifests().resolve("samples"));
        CrdSchemas crds = CrdSchemas.committed();

        assertThat(samples)
                .extracting(Resources::id)
                .containsExactlyInAnyOrder("OffloadProfile/libvirt", "OffloadProfile/containerd", "OffloadNode/host-1");
        for (JsonNode sample : samples) {
            assertThat(crds.validate(sample)).as(Resources.id(sample)).isEmpty();
        }
    }

    private static JsonNode object(String kind, String name) {
        return base.stream()
                .filter(o -> Resources.id(o).equals(kind + "/" + name))
                .findFirst()
                .orElseThrow(() -> new AssertionError(kind + "/" + name + " is not in the manifests"));
    }

    private static Map<String, String> fieldRefs(JsonNode container) {
        Map<String, String> refs = new HashMap<>();
        for (JsonNode env : container.path("env")) {
            JsonNode path = env.at("/valueFrom/fieldRef/fieldPath");
            if (!path.isMissingNode()) {
                refs.put(env.path("name").asText(), path.asText());
            }
        }
        return refs;
    }

    /** A probe's path and port number (a named port resolved through the container's ports). */
    private static String httpGet(JsonNode container, String probe) {
        JsonNode get = container.path(probe).path("httpGet");
        JsonNode port = get.path("port");
        int number = port.isInt() ? port.asInt() : -1;
        for (JsonNode declared : container.path("ports")) {
            if (declared.path("name").asText().equals(port.asText())) {
                number = declared.path("containerPort").asInt();
            }
        }
        return get.path("path").asText() + " " + number;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new java.util.ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
