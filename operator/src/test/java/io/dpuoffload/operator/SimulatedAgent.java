package io.dpuoffload.operator;

import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.StatusFields;
import io.dpuoffload.crd.node.AgentReport;
import io.dpuoffload.crd.node.PairConditions;
import io.dpuoffload.crd.node.PinnedProfile;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes an agent's report as the real agents do: its own part of the status ({@code status.host}
 * or {@code status.dpu}), field by field, and nothing else ({@link StatusFields}).
 */
final class SimulatedAgent {
    private final KubernetesClient client;
    private final String side;

    SimulatedAgent(KubernetesClient client, String side) {
        this.client = client;
        this.side = side;
    }

    static SimulatedAgent host(KubernetesClient client) {
        return new SimulatedAgent(client, "host");
    }

    static SimulatedAgent dpu(KubernetesClient client) {
        return new SimulatedAgent(client, "dpu");
    }

    /** Reports everything up, running exactly the profiles the operator pinned for {@code pair}. */
    void reportReady(String pair, Instant now) {
        OffloadNode current = client.resources(OffloadNode.class).withName(pair).get();
        List<String> running = current.getStatus().profiles().stream()
                .map(PinnedProfile::reference)
                .toList();
        System.err.println("DEBUG " + side + " " + pair + " reports " + running + " gen "
                + current.getMetadata().getGeneration());
        List<Condition> conditions = new ArrayList<>();
        for (String part : PairConditions.PARTS) {
            if (side.equals("host") && part.equals(PairConditions.DAEMONS_READY)) {
                continue;
            }
            conditions.add(new ConditionBuilder()
                    .withType(part)
                    .withStatus("True")
                    .withReason("Ready")
                    .withMessage(side + " " + part)
                    .withLastTransitionTime(now.toString())
                    .build());
        }
        report(
                pair,
                new AgentReport(
                        side + "-agent 0.1.0",
                        now.toString(),
                        current.getMetadata().getGeneration(),
                        running,
                        conditions,
                        null,
                        null,
                        null,
                        null));
    }

    void reportTornDown(String pair, Instant now) {
        report(
                pair,
                new AgentReport(
                        side + "-agent 0.1.0", now.toString(), null, List.of(), List.of(), null, null, null, true));
    }

    private void report(String pair, AgentReport report) {
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = Serialization.jsonMapper().convertValue(report, Map.class);
        StatusFields.setUnder(client, OffloadNode.class, pair, side, fields);
    }
}
