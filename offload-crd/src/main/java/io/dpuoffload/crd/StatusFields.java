package io.dpuoffload.crd;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the operator and the agents each write their own fields of a resource's status without
 * touching the others': one JSON patch (RFC 6902) that sets each field whole ({@code add} on an
 * existing member replaces it), with no resourceVersion, so the writers never conflict. Each field
 * is set whole rather than merged, so a list (conditions, mounts) is replaced, never merged with the
 * old one; and a status or part that is not there yet is first made by a merge patch of an empty
 * object, which has nothing to merge. Both patch types are served alike by API servers and by
 * Fabric8's mock server (whose merge patches merge lists into old ones).
 */
public final class StatusFields {
    private StatusFields() {}

    /** Sets {@code fields} (name → value) of {@code name}'s status. */
    public static <T extends HasMetadata> void set(
            KubernetesClient client, Class<T> type, String name, Map<String, Object> fields) {
        setUnder(client, type, name, "", fields);
    }

    /** Sets {@code fields} of the object {@code status.<part>} (an agent's report), each field whole. */
    public static <T extends HasMetadata> void setUnder(
            KubernetesClient client, Class<T> type, String name, String part, Map<String, Object> fields) {
        var resource = client.resources(type).withName(name);
        var status = resource.subresource("status");
        if (!exists(client.resources(type).withName(name).get(), part)) {
            status.patch(
                    PatchContext.of(PatchType.JSON_MERGE),
                    part.isEmpty() ? "{\"status\":{}}" : "{\"status\":{\"" + part + "\":{}}}");
        }
        String prefix = part.isEmpty() ? "/status/" : "/status/" + part + "/";
        List<Map<String, Object>> ops = new ArrayList<>();
        fields.forEach((field, value) -> {
            Map<String, Object> op = new LinkedHashMap<>();
            op.put("op", "add");
            op.put("path", prefix + field);
            op.put("value", value); // null writes JSON null: the field is cleared
            ops.add(op);
        });
        status.patch(PatchContext.of(PatchType.JSON), Serialization.asJson(ops));
    }

    private static boolean exists(HasMetadata current, String part) {
        if (current == null) {
            return true; // gone: the patch answers 404, which the caller sees
        }
        GenericKubernetesResource generic =
                Serialization.jsonMapper().convertValue(current, GenericKubernetesResource.class);
        Object status = generic.getAdditionalProperties().get("status");
        if (!(status instanceof Map<?, ?> statusMap)) {
            return false;
        }
        return part.isEmpty() || statusMap.get(part) instanceof Map;
    }
}
