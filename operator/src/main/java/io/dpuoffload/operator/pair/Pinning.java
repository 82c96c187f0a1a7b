package io.dpuoffload.operator.pair;

import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.node.PinnedProfile;
import io.dpuoffload.operator.profile.RolloutGate;
import io.dpuoffload.operator.profile.RolloutState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which profile revisions a pair is to run. A profile the pair did not run yet (a new pair, or one
 * just added to its spec) is pinned at its current revision at once; a changed profile only when
 * its rollout reaches this pair (see {@link RolloutGate}); until then the pair keeps the revision it
 * has, so a bad change stops at the first pair.
 */
public final class Pinning {
    /** The pins, and whether a profile is held back for its rollout (the pair is looked at again soon). */
    public record Result(List<PinnedProfile> pins, boolean waitingForRollout) {}

    private Pinning() {}

    public static Result pins(
            OffloadNode pair,
            Map<String, Declaration.CurrentProfile> current,
            Map<String, RolloutState> rollouts,
            RolloutGate gate,
            Instant now) {
        List<PinnedProfile> pins = new ArrayList<>();
        boolean waiting = false;
        String name = pair.getMetadata().getName();
        for (Declaration.CurrentProfile profile : current.values()) {
            Optional<PinnedProfile> before = pinned(pair, profile.name());
            PinnedProfile now_ = new PinnedProfile(
                    profile.name(), profile.revision(), profile.resource().getSpec(), now.toString());
            if (before.isEmpty()) {
                pins.add(now_);
            } else if (before.get().revision().equals(profile.revision())) {
                pins.add(before.get());
            } else if (gate.tryAdvance(rollouts.get(profile.name()), name)) {
                pins.add(now_);
            } else {
                pins.add(before.get());
                waiting = true;
            }
        }
        return new Result(pins, waiting);
    }

    private static Optional<PinnedProfile> pinned(OffloadNode pair, String profile) {
        if (pair.getStatus() == null || pair.getStatus().profiles() == null) {
            return Optional.empty();
        }
        return pair.getStatus().profiles().stream()
                .filter(p -> p.name().equals(profile))
                .findFirst();
    }
}
