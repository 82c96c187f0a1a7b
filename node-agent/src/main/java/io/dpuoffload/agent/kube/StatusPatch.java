package io.dpuoffload.agent.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpuoffload.crd.node.AgentReport;
import io.dpuoffload.crd.node.ChannelReport;
import java.lang.reflect.RecordComponent;

/**
 * An agent's report as a patch of the status subresource that touches only its own part ({@code
 * status.host} or {@code status.dpu}). Sent without a resourceVersion, it never conflicts with the
 * other agent's or the operator's writes, and overwrites none of them. Two forms, with the same
 * effect:
 *
 * <ul>
 *   <li>{@link #merge}: a JSON merge patch (RFC 7386), {@code {"status":{"dpu":{...}}}}, which also
 *       makes {@code status} when there is none yet. A field this report leaves out is sent as
 *       {@code null}, which the merge removes, so the stored part is exactly this report.
 *   <li>{@link #replace}: a JSON Patch (RFC 6902) {@code add} of {@code /status/dpu}, which replaces
 *       the part when it is there. Used then, because Fabric8's mock API server merges arrays by
 *       appending (the conditions would pile up), unlike the API server; this form is served alike by
 *       both, so the tests run the code path clusters run.
 * </ul>
 */
public final class StatusPatch {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StatusPatch() {}

    /** The merge patch, for a status without this side's part. */
    public static String merge(AgentRole role, AgentReport report) {
        ObjectNode part = JSON.valueToTree(report);
        nullsForAbsent(part, AgentReport.class);
        if (part.get("channel") instanceof ObjectNode channel) {
            nullsForAbsent(channel, ChannelReport.class);
        }
        ObjectNode patch = JSON.createObjectNode();
        patch.putObject("status").set(role.statusField(), part);
        return patch.toString();
    }

    /** The JSON Patch that replaces this side's part (it fails when there is no {@code status}). */
    public static String replace(AgentRole role, AgentReport report) {
        ObjectNode add = JSON.createObjectNode().put("op", "add").put("path", "/status/" + role.statusField());
        add.set("value", JSON.valueToTree(report));
        return JSON.createArrayNode().add(add).toString();
    }

    private static void nullsForAbsent(ObjectNode node, Class<? extends Record> type) {
        for (RecordComponent component : type.getRecordComponents()) {
            JsonNode value = node.get(component.getName());
            if (value == null) {
                node.putNull(component.getName());
            }
        }
    }
}
