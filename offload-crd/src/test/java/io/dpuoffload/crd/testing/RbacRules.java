package io.dpuoffload.crd.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a ServiceAccount may do, from the RBAC objects among rendered manifests: every rule of every
 * Role and ClusterRole bound to it, flattened to one line per permission, so a test can compare the
 * whole set with what it expects and any extra grant fails it.
 *
 * <p>A line is {@code SCOPE GROUP/RESOURCE VERB}, with {@code [NAME,...]} after the resource when
 * the rule names objects: {@code cluster dpuoffload.io/offloadnodes get}, {@code dpu-offload
 * core/secrets[ca] get}. SCOPE is {@code cluster} for a ClusterRoleBinding, else the RoleBinding's
 * namespace; GROUP {@code core} is the empty API group.
 */
public final class RbacRules {
    private RbacRules() {}

    public static Set<String> permissions(List<JsonNode> objects, String namespace, String serviceAccount) {
        Set<String> lines = new TreeSet<>();
        for (JsonNode binding : objects) {
            String kind = binding.path("kind").asText();
            if (!kind.equals("ClusterRoleBinding") && !kind.equals("RoleBinding")) {
                continue;
            }
            if (!binds(binding, namespace, serviceAccount)) {
                continue;
            }
            String scope = kind.equals("ClusterRoleBinding")
                    ? "cluster"
                    : binding.path("metadata").path("namespace").asText();
            JsonNode role = role(objects, binding);
            for (JsonNode rule : role.path("rules")) {
                for (JsonNode group : rule.path("apiGroups")) {
                    for (JsonNode resource : rule.path("resources")) {
                        for (JsonNode verb : rule.path("verbs")) {
                            lines.add(scope + " " + (group.asText().isEmpty() ? "core" : group.asText()) + "/"
                                    + resource.asText() + names(rule) + " " + verb.asText());
                        }
                    }
                }
                for (JsonNode url : rule.path("nonResourceURLs")) {
                    for (JsonNode verb : rule.path("verbs")) {
                        lines.add(scope + " url:" + url.asText() + " " + verb.asText());
                    }
                }
            }
        }
        return lines;
    }

    /** The Role or ClusterRole {@code binding} refers to; fails when the manifests do not hold it. */
    public static JsonNode role(List<JsonNode> objects, JsonNode binding) {
        String kind = binding.path("roleRef").path("kind").asText();
        String name = binding.path("roleRef").path("name").asText();
        String namespace = binding.path("metadata").path("namespace").asText();
        return objects.stream()
                .filter(o -> o.path("kind").asText().equals(kind))
                .filter(o -> o.path("metadata").path("name").asText().equals(name))
                .filter(o -> kind.equals("ClusterRole")
                        || o.path("metadata").path("namespace").asText().equals(namespace))
                .findFirst()
                .orElseThrow(() -> new AssertionError(
                        Resources.id(binding) + " refers to " + kind + "/" + name + ", which is not in the manifests"));
    }

    private static boolean binds(JsonNode binding, String namespace, String serviceAccount) {
        for (JsonNode subject : binding.path("subjects")) {
            if (subject.path("kind").asText().equals("ServiceAccount")
                    && subject.path("name").asText().equals(serviceAccount)
                    && subject.path("namespace")
                            .asText(binding.path("metadata").path("namespace").asText())
                            .equals(namespace)) {
                return true;
            }
        }
        return false;
    }

    private static String names(JsonNode rule) {
        if (!rule.has("resourceNames")) {
            return "";
        }
        List<String> names = new java.util.ArrayList<>();
        rule.path("resourceNames").forEach(n -> names.add(n.asText()));
        return "[" + String.join(",", names) + "]";
    }
}
