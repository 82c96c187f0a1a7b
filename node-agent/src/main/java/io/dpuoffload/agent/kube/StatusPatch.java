package io.dpuoffload.agent.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpuoffload.crd.node.AgentReport;
import io.dpuoffload.crd.node.ChannelReport;
import java.lang.reflect.RecordComponent;

/**
 * An agent's report as a JSON merge patch (RFC 7386) of the status subresource that touches only
 * its own part: {@code {"status":{"dpu":{...}}}}. Sent without a resourceVersion, it never conflicts
 * with the other agent's or the operator's writes, and overwrites none of them. A field this report
 * leaves out is sent as {@code null}, which the merge removes, so the stored part is exactly this
 * report (a merge patch would otherwise keep an earlier report's {@code tornDown} or daemons).
 */
public final class StatusPatch {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StatusPatch() {}

    public static String of(AgentRole role, AgentReport report) {
        ObjectNode part = JSON.valueToTree(report);
        nullsForAbsent(part, AgentReport.class);
        if (part.get("channel") instanceof ObjectNode channel) {
            nullsForAbsent(channel, ChannelReport.class);
        }
        ObjectNode patch = JSON.createObjectNode();
        patch.putObject("status").set(role.statusField(), part);
        return patch.toString();
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
