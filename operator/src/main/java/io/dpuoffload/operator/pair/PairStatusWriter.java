package io.dpuoffload.operator.pair;

import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.StatusFields;
import io.dpuoffload.crd.node.PinnedProfile;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the operator's part of an OffloadNode's status (observedGeneration, conditions, profiles),
 * each field whole ({@link StatusFields}): the agents' reports ({@code status.host}, {@code
 * status.dpu}) are left as they are, whoever wrote last. Plain patches, not server-side apply, so
 * the same calls run against Fabric8's mock server in tests.
 */
public final class PairStatusWriter {
    private final KubernetesClient client;

    public PairStatusWriter(KubernetesClient client) {
        this.client = client;
    }

    public void write(String pair, long generation, List<Condition> conditions, List<PinnedProfile> profiles) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("observedGeneration", generation);
        status.put("conditions", conditions);
        status.put("profiles", profiles);
        StatusFields.set(client, OffloadNode.class, pair, status);
    }
}
