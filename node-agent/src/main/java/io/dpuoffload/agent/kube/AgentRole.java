package io.dpuoffload.agent.kube;

import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.node.AgentReport;
import io.dpuoffload.crd.node.OffloadNodeStatus;

/** Which side of an OffloadNode this node is: the host (spec.hostNode) or the DPU (spec.dpuNode). */
public enum AgentRole {
    HOST("host"),
    DPU("dpu");

    /** The name of the part of the status this side owns: {@code status.host} or {@code status.dpu}. */
    private final String statusField;

    AgentRole(String statusField) {
        this.statusField = statusField;
    }

    public String statusField() {
        return statusField;
    }

    /** Whether {@code node} is this side of {@code resource}. */
    public boolean isOf(OffloadNode resource, String node) {
        if (resource.getSpec() == null) {
            return false;
        }
        String named = this == HOST
                ? resource.getSpec().hostNode()
                : resource.getSpec().dpuNode();
        return node.equals(named);
    }

    /** This side's report in {@code resource}'s status, if any. */
    public AgentReport reportIn(OffloadNode resource) {
        OffloadNodeStatus status = resource.getStatus();
        if (status == null) {
            return null;
        }
        return this == HOST ? status.host() : status.dpu();
    }
}
