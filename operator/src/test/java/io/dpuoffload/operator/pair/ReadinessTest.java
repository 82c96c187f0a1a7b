package io.dpuoffload.operator.pair;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.crd.node.AgentReport;
import io.dpuoffload.crd.node.PairConditions;
import io.dpuoffload.crd.node.PinnedProfile;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadinessTest {
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    private static final List<PinnedProfile> PINS = List.of(new PinnedProfile("libvirt", "abc", null, NOW.toString()));

    @Test
    void readyWhenBothAgentsReportEveryPartAndRunThePinnedRevisions() {
        var wanted =
                Readiness.of(report("host", NOW, 3, "libvirt@abc"), report("dpu", NOW, 3, "libvirt@abc"), PINS, 3, NOW);
        assertThat(wanted).allMatch(w -> w.status().equals(Conditions.TRUE), "all true");
        assertThat(wanted.getLast().type()).isEqualTo(PairConditions.READY);
    }

    @Test
    void anAgentOnAnOldRevisionKeepsThePairFromReady() {
        var ready = Readiness.of(
                        report("host", NOW, 3, "libvirt@old"), report("dpu", NOW, 3, "libvirt@abc"), PINS, 3, NOW)
                .getLast();
        assertThat(ready.status()).isEqualTo(Conditions.FALSE);
        assertThat(ready.reason()).isEqualTo("ApplyingProfiles");
        assertThat(ready.message()).contains("host").contains("libvirt@old");
    }

    @Test
    void anAgentBehindTheSpecKeepsThePairFromReady() {
        var ready = Readiness.of(
                        report("host", NOW, 2, "libvirt@abc"), report("dpu", NOW, 3, "libvirt@abc"), PINS, 3, NOW)
                .getLast();
        assertThat(ready.reason()).isEqualTo("ApplyingSpec");
    }

    @Test
    void aStaleReportIsNoReport() {
        Instant old = NOW.minus(Readiness.STALE_AFTER).minus(Duration.ofSeconds(1));
        var wanted =
                Readiness.of(report("host", old, 3, "libvirt@abc"), report("dpu", NOW, 3, "libvirt@abc"), PINS, 3, NOW);
        assertThat(wanted.getFirst().status()).isEqualTo(Conditions.UNKNOWN);
        assertThat(wanted.getFirst().reason()).isEqualTo("AgentSilent");
        assertThat(wanted.getLast().status()).isEqualTo(Conditions.UNKNOWN);
    }

    @Test
    void aPartOneSideDeniesIsFalseWithThatSidesReason() {
        AgentReport dpu = report("dpu", NOW, 3, "libvirt@abc");
        List<Condition> conditions = new ArrayList<>(dpu.conditions());
        conditions.replaceAll(c -> c.getType().equals(PairConditions.FILESYSTEM_READY)
                ? new ConditionBuilder(c)
                        .withStatus("False")
                        .withReason("MountFailed")
                        .withMessage("/var/lib/libvirt: EACCES")
                        .build()
                : c);
        dpu = new AgentReport(dpu.agent(), dpu.reported(), 3L, dpu.profiles(), conditions, null, null, null, null);
        var wanted = Readiness.of(report("host", NOW, 3, "libvirt@abc"), dpu, PINS, 3, NOW);
        var filesystem = wanted.stream()
                .filter(w -> w.type().equals(PairConditions.FILESYSTEM_READY))
                .findFirst()
                .orElseThrow();
        assertThat(filesystem.status()).isEqualTo(Conditions.FALSE);
        assertThat(filesystem.reason()).isEqualTo("MountFailed");
        assertThat(filesystem.message()).isEqualTo("DPU: /var/lib/libvirt: EACCES");
        assertThat(wanted.getLast().reason()).isEqualTo("WaitingFilesystemReady");
    }

    @Test
    void aConditionKeepsItsTransitionTimeWhileItsStatusStays() {
        var first = Conditions.merge(List.of(), List.of(new Conditions.Wanted("Ready", "False", "A", "a")), 1, NOW);
        var second = Conditions.merge(
                first, List.of(new Conditions.Wanted("Ready", "False", "B", "b")), 1, NOW.plusSeconds(10));
        var third = Conditions.merge(
                second, List.of(new Conditions.Wanted("Ready", "True", "C", "c")), 1, NOW.plusSeconds(20));
        assertThat(second.getFirst().getLastTransitionTime()).isEqualTo(NOW.toString());
        assertThat(third.getFirst().getLastTransitionTime())
                .isEqualTo(NOW.plusSeconds(20).toString());
        assertThat(Conditions.transitions(first, second)).hasSize(1);
        assertThat(Conditions.transitions(second, second)).isEmpty();
    }

    private static AgentReport report(String side, Instant at, long generation, String... profiles) {
        List<Condition> conditions = new ArrayList<>();
        for (String part : PairConditions.PARTS) {
            if (side.equals("host") && part.equals(PairConditions.DAEMONS_READY)) {
                continue;
            }
            conditions.add(new ConditionBuilder()
                    .withType(part)
                    .withStatus("True")
                    .withReason("Ready")
                    .build());
        }
        return new AgentReport(side, at.toString(), generation, List.of(profiles), conditions, null, null, null, null);
    }
}
