package io.dpuoffload.agent.kube;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpuoffload.crd.node.AgentReport;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusPatchTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theDpusPatchTouchesOnlyStatusDpu() throws Exception {
        AgentReport report = Reports.report(
                "pod 0.1.0",
                4,
                List.of("sleeper@r1"),
                Reports.host("tcp://198.51.100.1:7400", 1, 4, Instant.EPOCH),
                Reports.channel("tcp://198.51.100.1:7400", true, 3L),
                null,
                null,
                false,
                Instant.EPOCH);

        JsonNode patch = JSON.readTree(StatusPatch.merge(AgentRole.DPU, report));

        assertThat(patch.properties()).extracting(java.util.Map.Entry::getKey).containsExactly("status");
        assertThat(patch.get("status").properties())
                .extracting(java.util.Map.Entry::getKey)
                .containsExactly("dpu");
        assertThat(patch.at("/status/dpu/observedGeneration").asLong()).isEqualTo(4);
        assertThat(patch.at("/status/dpu/profiles/0").asText()).isEqualTo("sleeper@r1");
        assertThat(patch.at("/status/dpu/channel/connections").asLong()).isEqualTo(3);
        assertThat(patch.at("/status/dpu/conditions/0/type").asText()).isEqualTo("ChannelReady");
        assertThat(patch.has("metadata"))
                .as("no resourceVersion: never conditioned")
                .isFalse();
    }

    @Test
    void whatTheReportLeavesOutIsRemovedFromTheStoredPart() throws Exception {
        AgentReport report = Reports.report(
                "pod", 1, List.of(), List.of(), Reports.channel("e", false, null), null, null, false, Instant.EPOCH);

        JsonNode part = JSON.readTree(StatusPatch.merge(AgentRole.HOST, report)).at("/status/host");

        assertThat(part.get("tornDown").isNull()).isTrue();
        assertThat(part.get("daemons").isNull()).isTrue();
        assertThat(part.get("mounts").isNull()).isTrue();
        assertThat(part.at("/channel/requests").isNull()).isTrue();
        assertThat(part.at("/channel/connected").asBoolean(true)).isFalse();
    }

    @Test
    void theReplacingPatchAddsOnlyItsOwnPart() throws Exception {
        AgentReport report = Reports.report("pod", 1, List.of("p@1"), List.of(), null, null, null, true, Instant.EPOCH);

        JsonNode patch = JSON.readTree(StatusPatch.replace(AgentRole.HOST, report));

        assertThat(patch.size()).isEqualTo(1);
        assertThat(patch.at("/0/op").asText()).isEqualTo("add");
        assertThat(patch.at("/0/path").asText()).isEqualTo("/status/host");
        assertThat(patch.at("/0/value/tornDown").asBoolean()).isTrue();
        assertThat(patch.at("/0/value/profiles/0").asText()).isEqualTo("p@1");
    }
}
