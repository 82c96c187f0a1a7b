package io.dpuoffload.agent.kube;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What the Kubernetes-mode agent is told at start (the DaemonSet's downward API and options).
 *
 * @param node this node's name (NODE_NAME)
 * @param agent who reports: the pod's name and the agent's version, e.g. {@code dpuo-agent-x7k2p 0.1.0}
 * @param namespace where the node's Secret is (the operator's namespace); null until known
 * @param state where the agent writes what it derives: the certificates from the Secret
 * @param advertise the address the host agent reports for its DPU to dial (HOST_IP); null on a
 *     node that is never a host
 * @param root where the DPU agent builds the offload root (the standalone default)
 * @param dpuState the DPU agent's state directory (the standalone default, so {@code offloadctl
 *     agent status} finds it unchanged)
 * @param nodeRoot where the agent sees the node's {@code /}: {@code /} on the node itself, the
 *     mount of the node's root in a pod (the DaemonSet's {@code /host}); the DPU's daemons and the
 *     host's programs are the node's, never the image's
 * @param hostState the host agent's state directory, its pid and status ({@code offloadctl agent
 *     status --role host}); the standalone default
 */
public record AgentSettings(
        String node,
        String agent,
        String namespace,
        Path state,
        String advertise,
        Path root,
        Path dpuState,
        Path nodeRoot,
        Path hostState) {
    public AgentSettings {
        hostState = hostState == null ? io.dpuoffload.api.spec.Pair.Host.DEFAULT_STATE : hostState;
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(dpuState, "dpuState");
        Objects.requireNonNull(nodeRoot, "nodeRoot");
    }

    /** An agent on the node itself: its {@code /} is the node's. */
    public AgentSettings(
            String node, String agent, String namespace, Path state, String advertise, Path root, Path dpuState) {
        this(node, agent, namespace, state, advertise, root, dpuState, Path.of("/"), null);
    }

    public AgentSettings withNamespace(String value) {
        return new AgentSettings(node, agent, value, state, advertise, root, dpuState, nodeRoot, hostState);
    }

    /** Where the certificates from the node's Secret are written (see {@link CredentialFiles}). */
    public Path pki() {
        return state.resolve("pki");
    }
}
