package io.dpuoffload.e2e.kube;

import io.dpuoffload.crd.node.DaemonReport;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where {@link OperatorFlow} runs: an API server with the CRDs, the operator and an agent on each
 * of the two nodes, all running; the flow acts and looks through the API as a user does, and, where
 * the test can reach the nodes themselves, on them too.
 */
interface FlowCluster extends AutoCloseable {
    KubernetesClient client();

    /** The operator's namespace: its Secrets and Events. */
    String namespace();

    /** How long each step may take here. */
    Bounds bounds();

    /** The nodes' own side, where the test can look at it (the namespace pair), else empty. */
    Optional<NodeSides> nodes();

    /** What to read after a failure: the agents' and the operator's logs. */
    String logs();

    /**
     * The bounds of the flow's steps.
     *
     * @param ready the pair Ready after the samples are applied (certificates, both agents, libvirtd)
     * @param rollout a profile change pinned, applied by both agents, and Ready again
     * @param teardown from the delete to the OffloadNode gone, both agents torn down
     */
    record Bounds(Duration ready, Duration rollout, Duration teardown) {}

    /** The nodes as seen from the machine they run on. */
    interface NodeSides {
        /** virsh in the DPU's offload root; its output, failing the test unless it succeeds. */
        String virshInRoot(String... args);

        /** The content of {@code path} as the DPU's offload root shows it. */
        String readInRoot(String path);

        /**
         * Nothing of the pair is left on either node (no mount under the DPU root, none of {@code
         * daemons} running, no root, the host not serving) while both agents run on.
         */
        void assertNothingLeft(List<DaemonReport> daemons, List<String> rootFiles);
    }
}
