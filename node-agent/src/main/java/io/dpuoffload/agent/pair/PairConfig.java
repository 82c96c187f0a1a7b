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
 */
public record PairConfig(
        String pair,
        String hostNode,
        String hostEndpoint,
        String dpuNode,
        Path pki,
        Path root,
        Path state,
        List<Profile> profiles) {}
