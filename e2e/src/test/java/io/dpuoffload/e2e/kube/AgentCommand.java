package io.dpuoffload.e2e.kube;

import io.dpuoffload.cli.Offloadctl;
import io.dpuoffload.topology.Node;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code offloadctl agent kubernetes} for a test node, as the DaemonSet runs it: the node's name,
 * the kubeconfig that reaches the API server from the node, the operator's namespace, and the
 * directories a pod would have under /run/dpu-offload, here in the test's work directory.
 */
final class AgentCommand {
    /** The agents map FUSE and install seccomp filters through the FFM API. */
    static final List<String> JVM = List.of("--enable-native-access=ALL-UNNAMED");

    private AgentCommand() {}

    /** The host's agent, advertising {@code advertise} (the pod's status.hostIP) to its DPU. */
    static List<String> host(String node, Path kubeconfig, String namespace, Path state, String advertise) {
        return List.of(
                "agent",
                "kubernetes",
                "--node",
                node,
                "--kubeconfig",
                kubeconfig.toString(),
                "--namespace",
                namespace,
                "--state",
                state.toString(),
                "--advertise",
                advertise,
                "--host-state",
                state.resolve("host-agent").toString());
    }

    /** The DPU's agent, with its offload root at {@code root} and the DPU side's state at {@code dpuState}. */
    static List<String> dpu(String node, Path kubeconfig, String namespace, Path state, Path root, Path dpuState) {
        return List.of(
                "agent",
                "kubernetes",
                "--node",
                node,
                "--kubeconfig",
                kubeconfig.toString(),
                "--namespace",
                namespace,
                "--state",
                state.toString(),
                "--root",
                root.toString(),
                "--dpu-state",
                dpuState.toString());
    }

    /** {@code args} with {@code --node-root}: the node's / seen at {@code nodeRoot}, as the DaemonSet's /host. */
    static List<String> inPod(List<String> args, Path nodeRoot) {
        return java.util.stream.Stream.concat(
                        args.stream(), java.util.stream.Stream.of("--node-root", nodeRoot.toString()))
                .toList();
    }

    /** {@code args} as a JVM's command line running offloadctl with the test's class path. */
    static List<String> java(List<String> args) {
        return Node.javaCommand(Offloadctl.class.getName(), JVM, args);
    }
}
