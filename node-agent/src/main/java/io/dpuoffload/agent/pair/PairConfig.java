package io.dpuoffload.agent.pair;

import io.dpuoffload.agent.profile.Profile;
import java.nio.file.Path;
import java.util.List;

/**
 * A host and its DPU, for the standalone mode ({@code offloadctl agent --config pair.yaml}); the
 * same description the operator will derive from its custom resources.
 *
 * @param pair the pair's name (in logs and status)
 * @param hostNode the host's node name (its certificate's name)
 * @param hostEndpoint where the host agent listens for its DPU, e.g. tcp://198.51.100.1:7400
 * @param dpuNode the DPU's node name
 * @param pki the directory with ca.crt and this node's certificate and key
 * @param root on the DPU, where the offload root is built
 * @param state on the DPU, where the agent keeps its shims, gateway socket and status
 * @param profiles what runs in the root
 * @param keepRunsFor how long the host keeps the programs it runs for the DPU (a VM's QEMU) while
 *     the DPU agent is away (restarting, upgraded, cut off), for the next agent to take them back
 */
public record PairConfig(
        String pair,
        String hostNode,
        String hostEndpoint,
        String dpuNode,
        Path pki,
        Path root,
        Path state,
        List<Profile> profiles,
        java.time.Duration keepRunsFor) {

    /**
     * Where {@code path}, as the daemons see it in the root, is on the host: under the share with
     * the longest path that holds it, the same place under that share's host directory; outside
     * every share, the same path (a socket directory the host and the root name alike).
     */
    public Path hostPathOf(Path path) {
        Path normal = path.normalize();
        Profile.Share best = null;
        for (Profile profile : profiles) {
            for (Profile.Share share : profile.shares()) {
                if (normal.startsWith(share.path())
                        && (best == null
                                || share.path().getNameCount() > best.path().getNameCount())) {
                    best = share;
                }
            }
        }
        return best == null ? normal : best.hostPath().resolve(best.path().relativize(normal));
    }
}
