package io.dpuoffload.api.status;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One aspect of the agent's state in the Kubernetes style: whether it holds ({@code status}), a
 * reason in one CamelCase word, a message for people, when the status last changed, and the
 * generation of the spec it was judged against.
 */
public record Condition(
        String type,
        ConditionStatus status,
        String reason,
        String message,
        Instant lastTransitionTime,
        long observedGeneration) {

    /** Every aspect holds: what {@code offloadctl status} exits 0 for. */
    public static final String READY = "Ready";
    /** Every step of the offload root is made. */
    public static final String ROOT_READY = "RootReady";
    /** The channel to the host is up. */
    public static final String CHANNEL_CONNECTED = "ChannelConnected";
    /** Every daemon runs, and the last health check of each that has one passed. */
    public static final String DAEMONS_READY = "DaemonsReady";

    public boolean holds() {
        return status == ConditionStatus.TRUE;
    }

    /**
     * {@code next} in place of the condition of its type in {@code conditions} (added if new); its
     * transition time stays the earlier one when its status did not change, as Kubernetes keeps it.
     * The one helper through which every condition is set.
     */
    public static List<Condition> set(List<Condition> conditions, Condition next) {
        List<Condition> result = new ArrayList<>();
        boolean replaced = false;
        for (Condition condition : conditions) {
            if (condition.type().equals(next.type())) {
                result.add(
                        condition.status() == next.status()
                                ? new Condition(
                                        next.type(),
                                        next.status(),
                                        next.reason(),
                                        next.message(),
                                        condition.lastTransitionTime(),
                                        next.observedGeneration())
                                : next);
                replaced = true;
            } else {
                result.add(condition);
            }
        }
        if (!replaced) {
            result.add(next);
        }
        return List.copyOf(result);
    }
}
