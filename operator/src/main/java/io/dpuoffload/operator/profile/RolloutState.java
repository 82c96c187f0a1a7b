package io.dpuoffload.operator.profile;

import io.dpuoffload.api.yaml.Durations;
import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.OffloadProfile;
import io.dpuoffload.crd.node.PairConditions;
import io.dpuoffload.crd.node.PinnedProfile;
import io.dpuoffload.operator.pair.Conditions;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Where one profile's rollout stands, from the pairs as the informers see them: which pairs use the
 * profile, which run its current revision and are Ready, and which one is being updated. A pure
 * function, shared by the pairs' reconciler (may this pair move on?) and the profile's (its status).
 */
public record RolloutState(
        String profile,
        String revision,
        boolean paused,
        Duration progressDeadline,
        List<String> pairs,
        List<String> updated,
        Optional<InFlight> inFlight) {

    /** A rollout gives a pair this long to become Ready with a new revision unless the profile says otherwise. */
    public static final Duration DEFAULT_PROGRESS_DEADLINE = Duration.ofMinutes(10);

    /** The pair being updated, since when, and whether it has overrun the deadline. */
    public record InFlight(String pair, Instant since, boolean stalled, String why) {}

    public static RolloutState of(OffloadProfile profile, String revision, List<OffloadNode> all, Instant now) {
        String name = profile.getMetadata().getName();
        var rollout = profile.getSpec() == null ? null : profile.getSpec().rollout();
        boolean paused = rollout != null && Boolean.TRUE.equals(rollout.paused());
        Duration deadline = rollout == null || rollout.progressDeadline() == null
                ? DEFAULT_PROGRESS_DEADLINE
                : Durations.parse(rollout.progressDeadline()).orElse(DEFAULT_PROGRESS_DEADLINE);
        List<OffloadNode> users = all.stream()
                .filter(pair ->
                        pair.getSpec() != null && pair.getSpec().profiles().contains(name))
                .filter(pair -> pair.getMetadata().getDeletionTimestamp() == null)
                .sorted(Comparator.comparing(pair -> pair.getMetadata().getName()))
                .toList();
        List<String> updated = users.stream()
                .filter(pair -> pinned(pair, name)
                        .map(p -> p.revision().equals(revision))
                        .orElse(false))
                .filter(RolloutState::ready)
                .map(pair -> pair.getMetadata().getName())
                .toList();
        Optional<InFlight> inFlight = users.stream()
                .filter(pair -> pinned(pair, name)
                        .map(p -> p.revision().equals(revision))
                        .orElse(false))
                .filter(pair -> !ready(pair))
                .findFirst()
                .map(pair -> inFlight(pair, name, deadline, now));
        return new RolloutState(
                name,
                revision,
                paused,
                deadline,
                users.stream().map(pair -> pair.getMetadata().getName()).toList(),
                updated,
                inFlight);
    }

    /** Whether {@code pair} may take the current revision now: not paused, and no other pair is being updated. */
    public boolean mayAdvance(String pair) {
        return !paused && inFlight.map(f -> f.pair().equals(pair)).orElse(true);
    }

    public boolean complete() {
        return updated.size() == pairs.size();
    }

    static Optional<PinnedProfile> pinned(OffloadNode pair, String profile) {
        if (pair.getStatus() == null || pair.getStatus().profiles() == null) {
            return Optional.empty();
        }
        return pair.getStatus().profiles().stream()
                .filter(p -> p.name().equals(profile))
                .findFirst();
    }

    private static boolean ready(OffloadNode pair) {
        return pair.getStatus() != null && Conditions.holds(pair.getStatus().conditions(), PairConditions.READY);
    }

    private static InFlight inFlight(OffloadNode pair, String profile, Duration deadline, Instant now) {
        Instant since = pinned(pair, profile)
                .map(PinnedProfile::pinned)
                .map(text -> {
                    try {
                        return Instant.parse(text);
                    } catch (java.time.format.DateTimeParseException e) {
                        return now;
                    }
                })
                .orElse(now);
        boolean stalled = Duration.between(since, now).compareTo(deadline) > 0;
        String why = Conditions.find(pair.getStatus().conditions(), PairConditions.READY)
                .map(c -> c.getReason() + ": " + c.getMessage())
                .orElse("no Ready condition yet");
        return new InFlight(pair.getMetadata().getName(), since, stalled, why);
    }
}
