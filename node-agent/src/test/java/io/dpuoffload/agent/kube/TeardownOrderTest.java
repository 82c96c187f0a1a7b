package io.dpuoffload.agent.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.node.AgentReport;
import io.dpuoffload.crd.node.OffloadNodeSpec;
import io.dpuoffload.crd.node.OffloadNodeStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TeardownOrderTest {
    private static final Instant DELETED = Instant.parse("2026-01-01T10:00:00Z");

    @Test
    void theHostServesOnWhileItsDpuTearsDown() {
        assertThat(TeardownOrder.hostServesOn(deleted(dpu(null)), DELETED.plusSeconds(5)))
                .isTrue();
        assertThat(TeardownOrder.hostServesOn(deleted(dpu(false)), DELETED.plusSeconds(5)))
                .isTrue();
    }

    @Test
    void theHostGoesOnceTheDpuIsTornDownOrNeverReportedOrTheWaitIsOver() {
        assertThat(TeardownOrder.hostServesOn(deleted(dpu(true)), DELETED.plusSeconds(5)))
                .as("the DPU torn down")
                .isFalse();
        assertThat(TeardownOrder.hostServesOn(deleted(null), DELETED.plusSeconds(5)))
                .as("no DPU report: nothing runs there")
                .isFalse();
        assertThat(TeardownOrder.hostServesOn(
                        deleted(dpu(false)),
                        DELETED.plus(TeardownOrder.HOST_WAIT).plusSeconds(1)))
                .as("a DPU agent that does not confirm within the wait")
                .isFalse();
    }

    private static AgentReport dpu(Boolean tornDown) {
        return new AgentReport(
                "dpu-agent 0.1.0", DELETED.toString(), 1L, List.of(), List.of(), null, null, null, tornDown);
    }

    private static OffloadNode deleted(AgentReport dpu) {
        OffloadNode resource =
                new OffloadNode("pair-1", new OffloadNodeSpec("host-1", "dpu-1", null, List.of("sleeper"), null, null));
        resource.getMetadata().setDeletionTimestamp(DELETED.toString());
        resource.setStatus(new OffloadNodeStatus(1L, List.of(), List.of(), null, dpu));
        return resource;
    }
}
