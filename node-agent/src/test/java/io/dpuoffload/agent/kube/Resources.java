package io.dpuoffload.agent.kube;

import io.dpuoffload.crd.NodeSecrets;
import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.node.AgentReport;
import io.dpuoffload.crd.node.ChannelReport;
import io.dpuoffload.crd.node.OffloadNodeSpec;
import io.dpuoffload.crd.node.OffloadNodeStatus;
import io.dpuoffload.crd.node.PinnedProfile;
import io.dpuoffload.crd.node.TransportSpec;
import io.dpuoffload.crd.profile.OffloadProfileSpec;
import io.dpuoffload.crd.profile.ProfileResources;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/** OffloadNodes, Secrets and settings for the Kubernetes mode's unit tests. */
final class Resources {
    static final String NAMESPACE = "dpu-offload";

    static final OffloadProfileSpec SLEEPER = ProfileResources.fromProfileYaml("""
            daemons:
              - name: sleeper
                command: [/bin/sleep, "100000"]
            """);

    private Resources() {}

    static AgentSettings settings(String node) {
        return new AgentSettings(
                node,
                "agent-pod 0.1.0",
                NAMESPACE,
                Path.of("/run/k8s-state"),
                "198.51.100.1",
                Path.of("/run/root"),
                Path.of("/run/dpu-state"));
    }

    static OffloadNode pair(String name, TransportSpec transport, List<PinnedProfile> pinned, AgentReport host) {
        OffloadNode resource = new OffloadNode(
                name, new OffloadNodeSpec("host-1", "dpu-1", transport, List.of("sleeper"), "5m", "45s"));
        resource.getMetadata().setGeneration(3L);
        resource.setStatus(new OffloadNodeStatus(null, null, pinned, host, null));
        return resource;
    }

    static List<PinnedProfile> sleeper(String revision) {
        return List.of(new PinnedProfile("sleeper", revision, SLEEPER));
    }

    static AgentReport hostAt(String endpoint) {
        return new AgentReport(
                "host-pod 0.1.0", null, 3L, null, null, new ChannelReport(endpoint, false, 0L, null), null, null, null);
    }

    static Secret secret(String node, String... keys) {
        SecretBuilder secret = new SecretBuilder()
                .withNewMetadata()
                .withName(NodeSecrets.name(node))
                .withNamespace(NAMESPACE)
                .endMetadata();
        for (String key : keys) {
            secret.addToData(
                    key, Base64.getEncoder().encodeToString(("PEM of " + key).getBytes(StandardCharsets.UTF_8)));
        }
        return secret.build();
    }

    static Secret fullSecret(String node) {
        return secret(node, NodeSecrets.CA_CERT, NodeSecrets.CERT, NodeSecrets.KEY);
    }
}
