package io.dpuoffload.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.crd.testing.CrdSchemas;
import io.dpuoffload.crd.testing.RuleCardinality;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The API server accepts the CRDs only if each CEL rule's estimated cost, times how often it may run
 * in one request, stays under its limit; a rule in an unbounded list counts as run about a million
 * times. Without a server here, this checks the part that grows with the schema (the cardinality,
 * computed as the server does) against a generous bound of each rule's own cost: CEL estimates the
 * share's allow rule at about 700 (each of at most 20 keys looked up in a 20-entry list), the other
 * rules (has, comparisons) under 10. A list whose maxItems is dropped fails this, not a cluster's
 * {@code kubectl apply -f crds/}.
 */
class CrdRuleCostTest {
    /** Twice the estimate of a rule that iterates (the allow rule's ~700 rounded up), for headroom. */
    private static final long ITERATING_RULE_COST = 2_000;
    /** Twice the estimate of a rule of a few has() and comparisons. */
    private static final long SIMPLE_RULE_COST = 20;

    @Test
    void everyRuleFitsTheApiServersCostLimit() {
        CrdSchemas crds = CrdSchemas.committed();
        for (String kind : List.of("OffloadProfile", "OffloadNode")) {
            List<RuleCardinality.Site> sites =
                    RuleCardinality.of(crds.forKind(kind).openApiSchema());
            assertThat(sites).as(kind + "'s rules").isNotEmpty();
            for (RuleCardinality.Site site : sites) {
                long cost = iterates(site.rule()) ? ITERATING_RULE_COST : SIMPLE_RULE_COST;
                assertThat(site.costBudget())
                        .as(
                                "%s %s: rule %s may run %d times per request; add maxItems to the lists above it",
                                kind, site.path(), site.rule(), site.cardinality())
                        .isGreaterThanOrEqualTo(cost);
            }
        }
    }

    private static boolean iterates(String rule) {
        return rule.contains(".all(") || rule.contains(".exists(") || rule.contains(" in [") || rule.contains(".map(");
    }
}
