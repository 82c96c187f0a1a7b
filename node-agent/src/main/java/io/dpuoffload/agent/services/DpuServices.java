package io.dpuoffload.agent.services;

import io.dpuoffload.agent.plan.MountPlan;
import io.dpuoffload.api.spec.Profile;
import io.dpuoffload.api.spec.ResolvedPair;
import io.dpuoffload.api.spec.Share;
import io.dpuoffload.ipc.config.IpcConfig;
import io.dpuoffload.ipc.config.PeerPaths;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * What the DPU agent runs besides the root, derived from the pair and its profiles (pure
 * functions): offload-ipc's side that connects (it accepts nothing from the host) and the path
 * mappings its interception and exec gateway use.
 */
public final class DpuServices {
    private DpuServices() {}

    /**
     * offload-ipc on the DPU: connects to the host, serves no forwards, and lets the host reach the
     * daemons' own sockets the profiles name (daemonSockets, in the root) and nothing else.
     */
    public static IpcConfig ipc(ResolvedPair pair) {
        return new IpcConfig(
                pair.dpuNode(),
                null,
                pair.pki(),
                Set.of(pair.hostNode()),
                List.of(),
                HostServices.daemonSockets(pair).stream()
                        .map(socket -> MountPlan.inRoot(pair.root(), socket).toString())
                        .toList(),
                IpcConfig.DEFAULT_MAX_CONNECTIONS,
                socketPaths(pair),
                pair.resumeWithin());
    }

    /**
     * The profiles' socket directories, as the agent sees them inside the root, mapped to where
     * they are on the host (through the share that holds them): a daemon's connect() there is made
     * on the host (unless a DPU socket listens there).
     */
    public static PeerPaths socketPaths(ResolvedPair pair) {
        List<PeerPaths.Mapping> mappings = new ArrayList<>();
        for (Profile profile : pair.profiles()) {
            for (Path socket : profile.sockets()) {
                mappings.add(new PeerPaths.Mapping(MountPlan.inRoot(pair.root(), socket), pair.hostPathOf(socket)));
            }
        }
        return new PeerPaths(mappings);
    }

    /**
     * The shared directories as the agent sees them in the root, deepest first, mapped to their host
     * paths: a file or listening socket a daemon passes to a host program is found there.
     */
    public static PeerPaths sharedPaths(ResolvedPair pair) {
        return new PeerPaths(pair.shares().stream()
                .filter(share -> !share.procView())
                .distinct()
                .sorted(Comparator.comparingInt((Share share) -> share.path().getNameCount())
                        .reversed())
                .map(share -> new PeerPaths.Mapping(MountPlan.inRoot(pair.root(), share.path()), share.hostPath()))
                .toList());
    }
}
