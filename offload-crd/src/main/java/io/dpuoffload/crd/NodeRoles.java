package io.dpuoffload.crd;

/** The label that marks which nodes are hosts and which are DPUs: the operator checks it, the DaemonSet selects by it. */
public final class NodeRoles {
    public static final String LABEL = "dpuoffload.io/role";
    public static final String HOST = "host";
    public static final String DPU = "dpu";

    private NodeRoles() {}
}
