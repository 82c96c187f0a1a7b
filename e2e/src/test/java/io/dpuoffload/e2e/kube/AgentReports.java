package io.dpuoffload.e2e.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.node.AgentReport;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** The agents' reports in an OffloadNode's status, read as a user reads them ({@code kubectl get onode -o yaml}). */
final class AgentReports {
    private AgentReports() {}

    /** Which agent: its part of the status is {@code status.host} or {@code status.dpu}. */
    enum Side {
        HOST,
        DPU;

        String field() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code side}'s report, or null when there is none (yet). */
    static AgentReport find(OffloadNode node, Side side) {
        if (node == null || node.getStatus() == null) {
            return null;
        }
        return side == Side.HOST ? node.getStatus().host() : node.getStatus().dpu();
    }

    /** {@code side}'s report, which must be there. */
    static AgentReport of(OffloadNode node, Side side) {
        AgentReport report = find(node, side);
        assertThat(report).as("status.%s", side.field()).isNotNull();
        return report;
    }

    static List<String> statuses(AgentReport report) {
        return conditions(report, Condition::getStatus);
    }

    static List<String> reasons(AgentReport report) {
        return conditions(report, Condition::getReason);
    }

    static List<String> types(AgentReport report) {
        return conditions(report, Condition::getType);
    }

    private static List<String> conditions(AgentReport report, Function<Condition, String> field) {
        assertThat(report.conditions()).isNotEmpty();
        return report.conditions().stream().map(field).toList();
    }
}
