package io.dpuoffload.operator.profile;

import java.util.HashMap;
import java.util.Map;

/**
 * Keeps two pairs from taking a profile's new revision at once. The informers' cache shows a pair's
 * new pin only after its status patch comes back, so two reconciles running side by side could both
 * see no pair in flight; the gate remembers, per profile and revision, the pair it let through
 * until the cache shows that pair done (Ready) or gone.
 */
public final class RolloutGate {
    private record Holder(String revision, String pair) {}

    private final Map<String, Holder> holders = new HashMap<>();

    /**
     * Whether {@code pair} may pin {@code state}'s revision now; when it may, it holds the profile's
     * rollout until {@link RolloutState} shows it no longer in flight.
     */
    public synchronized boolean tryAdvance(RolloutState state, String pair) {
        if (!state.mayAdvance(pair)) {
            return false;
        }
        Holder holder = holders.get(state.profile());
        boolean heldByOther = holder != null
                && holder.revision().equals(state.revision())
                && !holder.pair().equals(pair)
                && state.pairs().contains(holder.pair())
                && !state.updated().contains(holder.pair());
        if (heldByOther) {
            return false;
        }
        holders.put(state.profile(), new Holder(state.revision(), pair));
        return true;
    }
}
