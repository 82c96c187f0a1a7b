package io.dpuoffload.api.spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A pair with the profiles it names, loaded: what the agents run from. */
public record ResolvedPair(Pair spec, List<Profile> profiles) {
    public ResolvedPair {
        profiles = List.copyOf(profiles);
    }

    public String name() {
        return spec.pair();
    }

    public String hostNode() {
        return spec.host().node();
    }

    public String hostEndpoint() {
        return spec.host().endpoint();
    }

    public Duration keepRunsFor() {
        return spec.host().keepRunsFor();
    }

    public Duration resumeWithin() {
        return spec.host().resumeWithin();
    }

    public String dpuNode() {
        return spec.dpu().node();
    }

    public Path root() {
        return spec.dpu().root();
    }

    public Path state() {
        return spec.dpu().state();
    }

    /** The host agent's state directory. */
    public Path hostState() {
        return spec.host().state();
    }

    public Path pki() {
        return spec.pki();
    }

    /** Every profile's shares, in order. */
    public List<Share> shares() {
        return profiles.stream().flatMap(profile -> profile.shares().stream()).toList();
    }

    /**
     * Where {@code path}, as the daemons see it in the root, is on the host: under the share with
     * the longest path that holds it, the same place under that share's host directory; outside
     * every share, the same path (a socket directory the host and the root name alike).
     */
    public Path hostPathOf(Path path) {
        Path normal = path.normalize();
        return shareHolding(normal)
                .map(share -> share.hostPath().resolve(share.path().relativize(normal)))
                .orElse(normal);
    }

    /** The share with the longest path in the root that holds {@code path}, if any does. */
    public java.util.Optional<Share> shareHolding(Path path) {
        Share best = null;
        for (Share share : shares()) {
            if (path.startsWith(share.path())
                    && (best == null
                            || share.path().getNameCount() > best.path().getNameCount())) {
                best = share;
            }
        }
        return java.util.Optional.ofNullable(best);
    }
}
