package io.dpuoffload.bench.operator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/**
 * The benchmark's result, printed as a table ({@link OperatorBenchTable}) and as the {@code Raw:} JSON line.
 *
 * @param operatorJvm the operator JVM's options
 * @param startupSeconds from starting the operator's JVM to /readyz answering 200
 * @param idleRssMib its resident memory then, before any OffloadNode exists
 * @param rollout null when the rollout phase was left out
 * @param requests the API requests the mock server answered, by who, method and resource
 */
record OperatorBenchReport(
        int pairs,
        int agentThreads,
        int cpus,
        String operatorJvm,
        double startupSeconds,
        double idleRssMib,
        Phase ready,
        Phase rollout,
        long agentReports,
        Map<String, Long> requests) {

    /** The goals: all pairs Ready within a minute, the operator within its pod's 256 MiB. */
    static final double READY_GOAL_SECONDS = 60;

    static final double RSS_GOAL_MIB = 256;

    boolean readyGoalMet() {
        return ready.complete() && ready.seconds() <= READY_GOAL_SECONDS;
    }

    double peakRssMib() {
        return Math.max(ready.peakRssMib(), rollout == null ? 0 : rollout.peakRssMib());
    }

    boolean rssGoalMet() {
        return peakRssMib() < RSS_GOAL_MIB;
    }

    String toJson() {
        try {
            return new ObjectMapper().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a report of records and numbers always serialises", e);
        }
    }
}
