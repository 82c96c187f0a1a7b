package io.dpuoffload.operator.certs;

import io.dpuoffload.crd.NodeSecrets;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Keeps the agents' Role ({@code dpuo-agent-secrets}, bound to the agents' ServiceAccount by the
 * manifests) listing exactly the node Secrets of the current pairs, by name. RBAC cannot tell one
 * DaemonSet pod from another, so every agent may read every node's Secret; but never the CA's, nor
 * any other Secret of the namespace. With no pairs, the Role grants nothing.
 */
public final class AgentSecretsRole {
    public static final String NAME = "dpuo-agent-secrets";
    /** What an agent does with its Secret: reads it, and watches it for a renewed certificate. */
    static final List<String> VERBS = List.of("get", "list", "watch");

    private final KubernetesClient client;
    private final String namespace;
    /**
     * How long what this operator last wrote or found is trusted without asking: every reconcile
     * calls {@link #grant} and the answer rarely changes, but a Role someone deleted or edited by
     * hand is put right within this bound.
     */
    static final java.time.Duration TRUSTED_FOR = java.time.Duration.ofMinutes(1);

    private List<PolicyRule> granted;
    private long grantedAt;

    public AgentSecretsRole(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    /** Makes the Role name the Secrets of {@code nodes}; writes only when that changes it. */
    public synchronized void grant(Collection<String> nodes) {
        List<PolicyRule> rules = rules(nodes);
        if (rules.equals(granted) && System.nanoTime() - grantedAt < TRUSTED_FOR.toNanos()) {
            return;
        }
        Role current =
                client.rbac().roles().inNamespace(namespace).withName(NAME).get();
        if (current != null && Objects.equals(current.getRules(), rules)) {
            granted = rules;
            grantedAt = System.nanoTime();
            return;
        }
        Role role = new RoleBuilder()
                .withNewMetadata()
                .withName(NAME)
                .withNamespace(namespace)
                .addToLabels(NodeSecrets.MANAGED_LABEL, "operator")
                .endMetadata()
                .withRules(rules)
                .build();
        client.rbac().roles().inNamespace(namespace).resource(role).createOr(existing -> existing.update());
        granted = rules;
        grantedAt = System.nanoTime();
    }

    /** The rules for {@code nodes}: one rule naming their Secrets, sorted; none for no nodes. */
    static List<PolicyRule> rules(Collection<String> nodes) {
        List<String> names =
                nodes.stream().map(NodeSecrets::name).distinct().sorted().toList();
        if (names.isEmpty()) {
            return List.of();
        }
        return List.of(new PolicyRuleBuilder()
                .withApiGroups("")
                .withResources("secrets")
                .withResourceNames(names)
                .withVerbs(VERBS)
                .build());
    }
}
