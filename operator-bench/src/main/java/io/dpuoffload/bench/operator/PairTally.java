package io.dpuoffload.bench.operator;

import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.node.PairConditions;
import io.dpuoffload.crd.node.PinnedProfile;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/** Where each pair stands as the watch shows it: the revision pinned for its profile, and whether it is Ready. */
final class PairTally {
    private record Standing(String revision, boolean ready) {}

    private final Map<String, Standing> pairs = new ConcurrentHashMap<>();

    void update(OffloadNode pair) {
        var status = pair.getStatus();
        String revision =
                status == null || status.profiles() == null || status.profiles().isEmpty()
                        ? null
                        : status.profiles().stream()
                                .map(PinnedProfile::revision)
                                .sorted()
                                .findFirst()
                                .orElseThrow();
        boolean ready = status != null
                && status.conditions() != null
                && status.conditions().stream()
                        .anyMatch(c -> PairConditions.READY.equals(c.getType()) && "True".equals(c.getStatus()));
        pairs.put(pair.getMetadata().getName(), new Standing(revision, ready));
    }

    void forget(String pair) {
        pairs.remove(pair);
    }

    /** Pairs with a pinned profile revision. */
    long pinned() {
        return pairs.values().stream().filter(s -> s.revision() != null).count();
    }

    long ready() {
        return pairs.values().stream().filter(Standing::ready).count();
    }

    /** Pairs Ready with {@code revision} pinned: done in a rollout to it. */
    long readyAt(String revision) {
        return pairs.values().stream()
                .filter(s -> s.ready() && Objects.equals(s.revision(), revision))
                .count();
    }

    /** Pairs that have {@code revision} pinned, Ready or not. */
    long pinnedAt(String revision) {
        return pairs.values().stream()
                .filter(s -> Objects.equals(s.revision(), revision))
                .count();
    }
}
