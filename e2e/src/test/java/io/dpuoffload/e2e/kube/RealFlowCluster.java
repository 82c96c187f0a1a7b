package io.dpuoffload.e2e.kube;

import io.dpuoffload.crd.NodeRoles;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The flow's cluster when a kubeconfig is given ({@link ClusterOptions}): a real API server, where
 * the test installs the CRDs and the base ({@link Manifests}) and the cluster runs the operator and
 * the agents (their images loaded beforehand, docs/kubernetes.md). The test reaches only the API:
 * the nodes' side is what the agents report.
 */
final class RealFlowCluster implements FlowCluster {
    /** The base's namespace ({@code manifests/kustomization.yaml}). */
    static final String NAMESPACE = "dpu-offload";
    /**
     * Pods to schedule and start (the images are loaded, not pulled), libvirtd's start; the teardown
     * bound covers the operator's own 90 s for an agent that does not confirm, and a minute more.
     */
    private static final Bounds BOUNDS =
            new Bounds(Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofMinutes(3));
    /** The tail of each pod's log printed after a failure. */
    private static final int LOG_LINES = 200;

    private final KubernetesClient client;

    private RealFlowCluster(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Connects with the kubeconfig, checks that the two nodes exist with their role labels (the
     * user's part, docs/kubernetes.md), and installs the CRDs and the base.
     */
    static RealFlowCluster install(ClusterOptions options, String hostNode, String dpuNode) throws Exception {
        Path kubeconfig = options.kubeconfig();
        if (!Files.isReadable(kubeconfig)) {
            throw new IllegalArgumentException(
                    "cannot read the kubeconfig " + kubeconfig + " (" + ClusterOptions.KUBECONFIG + ")");
        }
        Config config = Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
        RealFlowCluster cluster = new RealFlowCluster(
                new KubernetesClientBuilder().withConfig(config).build());
        try {
            cluster.requireNode(hostNode, NodeRoles.HOST);
            cluster.requireNode(dpuNode, NodeRoles.DPU);
            Manifests.install(cluster.client, kubeconfig);
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    private void requireNode(String name, String role) {
        Node node = client.nodes().withName(name).get();
        if (node == null) {
            throw new IllegalStateException("the cluster has no node " + name + "; name the nodes with -D"
                    + ClusterOptions.HOST_NODE + " and -D" + ClusterOptions.DPU_NODE);
        }
        String label = node.getMetadata().getLabels() == null
                ? null
                : node.getMetadata().getLabels().get(NodeRoles.LABEL);
        if (!role.equals(label)) {
            throw new IllegalStateException("node " + name + " is not labelled as the " + role + ": kubectl label node "
                    + name + " " + NodeRoles.LABEL + "=" + role);
        }
    }

    @Override
    public KubernetesClient client() {
        return client;
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
        return Optional.empty();
    }

    /** The tail of every pod's log in the namespace: the operator and each node's agent. */
    @Override
    public String logs() {
        List<String> logs = new ArrayList<>();
        try {
            for (Pod pod : client.pods().inNamespace(NAMESPACE).list().getItems()) {
                String name = pod.getMetadata().getName();
                String log;
                try {
                    log = client.pods()
                            .inNamespace(NAMESPACE)
                            .withName(name)
                            .tailingLines(LOG_LINES)
                            .getLog();
                } catch (RuntimeException e) {
                    log = "(no log: " + e.getMessage() + ")";
                }
                logs.add("---- pod " + name + " on " + pod.getSpec().getNodeName() + "\n" + log);
            }
        } catch (RuntimeException e) {
            logs.add("(the pods of " + NAMESPACE + " could not be listed: " + e.getMessage() + ")");
        }
        return String.join("\n", logs);
    }

    @Override
    public void close() {
        client.close();
    }
}
