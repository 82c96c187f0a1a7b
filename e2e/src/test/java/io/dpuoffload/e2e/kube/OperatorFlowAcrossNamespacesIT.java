package io.dpuoffload.e2e.kube;

import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.OffloadProfile;
import io.dpuoffload.e2e.LibvirtPrerequisites;
import io.dpuoffload.topology.Topology;
import io.dpuoffload.topology.TopologyExtension;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIf;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator's full flow ({@link OperatorFlow}) with the sample resources as they ship: applied,
 * Ready with libvirtd running in the DPU's root, the profile changed and rolled out, deleted with
 * nothing left on either side.
 *
 * <p>Here: against Fabric8's mock API server with the operator in this JVM and both real agents in
 * the namespace pair ({@link LocalFlowCluster}). With a kubeconfig ({@code -Ddpuo.kubeconfig=FILE},
 * {@code ./dpuo e2e --kubeconfig FILE}): against that cluster instead ({@link RealFlowCluster}),
 * the same steps and the same checks of what the API shows, with the nodes of {@code
 * -Ddpuo.host-node} and {@code -Ddpuo.dpu-node} in place of the sample's.
 */
class OperatorFlowAcrossNamespacesIT {

    static boolean onARealCluster() {
        return ClusterOptions.ofThisRun().isPresent();
    }

    @Test
    @DisabledIf("onARealCluster")
    @ExtendWith(TopologyExtension.class)
    void theSamplesBecomeReadyRollOutAndLeaveNothingBehind(Topology topology) throws Exception {
        LibvirtPrerequisites.require("OperatorFlowAcrossNamespacesIT");
        Samples samples = Samples.load();
        // The Nodes and the agents' --node are the sample's own names: the sample applies unchanged.
        OffloadNode pair = samples.pair();
        try (LocalFlowCluster cluster = LocalFlowCluster.start(
                topology, pair.getSpec().hostNode(), pair.getSpec().dpuNode())) {
            new OperatorFlow(cluster, samples, null, null).run();
        }
    }

    @Test
    @EnabledIf("onARealCluster")
    void onTheClusterOfTheKubeconfig() throws Exception {
        ClusterOptions options = ClusterOptions.ofThisRun().orElseThrow();
        Samples samples = Samples.load();
        String hostNode = options.hostNode() == null ? samples.pair().getSpec().hostNode() : options.hostNode();
        String dpuNode = options.dpuNode() == null ? samples.pair().getSpec().dpuNode() : options.dpuNode();
        try (RealFlowCluster cluster = RealFlowCluster.install(options, hostNode, dpuNode)) {
            new OperatorFlow(cluster, samples, hostNode, dpuNode).run();
            // The profiles back as they ship (the flow changed one), as `kubectl apply -k
            // manifests/samples` left them; the OffloadNode is gone, deleted by the flow.
            for (OffloadProfile profile : samples.profiles()) {
                cluster.client().resource(profile).createOr(NonDeletingOperation::update);
            }
        }
    }
}
