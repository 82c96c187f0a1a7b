package io.dpuoffload.bench.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorBenchTableTest {
    private static final Map<String, Long> REQUESTS = Map.of(
            "operator GET secrets", 4000L, "operator POST events", 3000L, "agents PATCH offloadnodes/status", 2000L);

    @Test
    void theGoalsAreMetWhenAllAreReadyInAMinuteUnder256Mib() {
        var report = report(new Phase("all pairs to Ready", 500, 500, 42.0, 4200, 0, 30.0, 50.0, 180.0, 200.0));

        String table = String.join("\n", OperatorBenchTable.render(report));

        assertThat(table)
                .contains(
                        "Goals: all 500 Ready within 60 s: met (42.0 s); operator RSS under 256 MiB: met (peak 200 MiB)")
                .containsPattern("500/500 +42\\.0 +11\\.9 +100 "); // pairs/s and reconciles/s
        assertThat(report.toJson()).startsWith("{\"pairs\":500,").doesNotContain("\n");
    }

    @Test
    void aPhaseThatTimedOutOrARssOverTheLimitMissesItsGoal() {
        var report = report(new Phase("all pairs to Ready", 500, 320, 300.0, 9000, 3, 250.0, 200.0, 300.0, 310.0));

        String table = String.join("\n", OperatorBenchTable.render(report));

        assertThat(table)
                .contains("all 500 Ready within 60 s: MISSED (320 of them in 300 s)")
                .contains("operator RSS under 256 MiB: MISSED (peak 310 MiB)")
                .contains("(3 failed)");
    }

    private static OperatorBenchReport report(Phase ready) {
        return new OperatorBenchReport(500, 16, 2, OperatorBench.POD_JVM, 5.0, 140.0, ready, null, 1000, REQUESTS);
    }
}
