package io.dpuoffload.operator.pair;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The one place conditions are set: a condition keeps its lastTransitionTime while its status stays
 * the same (reason and message may change), as kubectl and every controller expect.
 */
public final class Conditions {
    public static final String TRUE = "True";
    public static final String FALSE = "False";
    public static final String UNKNOWN = "Unknown";

    private Conditions() {}

    /** A condition as computed now, before it is merged with what was there. */
    public record Wanted(String type, String status, String reason, String message) {
        public static Wanted of(String type, boolean holds, String reason, String message) {
            return new Wanted(type, holds ? TRUE : FALSE, reason, message);
        }
    }

    /** {@code wanted}, in its order, each keeping the transition time of {@code current}'s same-status condition. */
    public static List<Condition> merge(List<Condition> current, List<Wanted> wanted, long generation, Instant now) {
        List<Condition> result = new ArrayList<>();
        for (Wanted next : wanted) {
            String since = find(current, next.type())
                    .filter(old -> Objects.equals(old.getStatus(), next.status()))
                    .map(Condition::getLastTransitionTime)
                    .orElse(now.toString());
            result.add(new ConditionBuilder()
                    .withType(next.type())
                    .withStatus(next.status())
                    .withReason(next.reason())
                    .withMessage(next.message())
                    .withObservedGeneration(generation)
                    .withLastTransitionTime(since)
                    .build());
        }
        return result;
    }

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions == null
                ? Optional.empty()
                : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    public static boolean holds(List<Condition> conditions, String type) {
        return find(conditions, type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
    }

    /** The conditions of {@code after} whose status differs from {@code before}'s: what an Event is recorded for. */
    public static List<Condition> transitions(List<Condition> before, List<Condition> after) {
        return after.stream()
                .filter(next -> !find(before, next.getType())
                        .map(old -> Objects.equals(old.getStatus(), next.getStatus())
                                && Objects.equals(old.getReason(), next.getReason()))
                        .orElse(false))
                .toList();
    }

    /** Equal for a status patch: type, status, reason, message and generation (not the time). */
    public static boolean same(List<Condition> a, List<Condition> b) {
        List<Condition> left = a == null ? List.of() : a;
        List<Condition> right = b == null ? List.of() : b;
        if (left.size() != right.size()) {
            return false;
        }
        for (int i = 0; i < left.size(); i++) {
            Condition x = left.get(i);
            Condition y = right.get(i);
            if (!Objects.equals(x.getType(), y.getType())
                    || !Objects.equals(x.getStatus(), y.getStatus())
                    || !Objects.equals(x.getReason(), y.getReason())
                    || !Objects.equals(x.getMessage(), y.getMessage())
                    || !Objects.equals(x.getObservedGeneration(), y.getObservedGeneration())) {
                return false;
            }
        }
        return true;
    }
}
