package io.dpuoffload.crd;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How the operator and the agents each write their own fields of a resource's status without
 * touching the others': a JSON patch (RFC 6902) that sets each field whole ({@code add} on an
 * existing member replaces it), after a merge patch of {@code {"status": {}}} that makes the status
 * exist and changes nothing in one that does. Setting each field whole, not merging it, means a
 * list (conditions, mounts) is replaced, never appended to; and no resourceVersion is sent, so the
 * writers never conflict. Both patch types are served alike by API servers and Fabric8's mock.
 */
public final class StatusFields {
    private StatusFields() {}

    /** Sets {@code fields} (name → value) of {@code name}'s status. */
    public static <T extends HasMetadata> void set(
            KubernetesClient client, Class<T> type, String name, Map<String, Object> fields) {
        setUnder(client, type, name, "", fields);
    }

    /**
     * Sets {@code fields} of the object {@code status.<part>} (an agent's report), each field whole:
     * a field set inside the part, not the part as one value, so that no API server or mock merges
     * an old list into a new one.
     */
    public static <T extends HasMetadata> void setUnder(
            KubernetesClient client, Class<T> type, String name, String part, Map<String, Object> fields) {
        var status = client.resources(type).withName(name).subresource("status");
        status.patch(
                PatchContext.of(PatchType.JSON_MERGE),
                part.isEmpty() ? "{\"status\":{}}" : "{\"status\":{\"" + part + "\":{}}}");
        String prefix = part.isEmpty() ? "/status/" : "/status/" + part + "/";
        List<Map<String, Object>> ops = new ArrayList<>();
        fields.forEach((field, value) -> {
            Map<String, Object> op = new java.util.LinkedHashMap<>();
            op.put("op", "add");
            op.put("path", prefix + field);
            op.put("value", value); // null writes JSON null: the field is cleared
            ops.add(op);
        });
        status.patch(PatchContext.of(PatchType.JSON), Serialization.asJson(ops));
    }
}
