package io.dpuoffload.agent.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.api.status.AgentStatus;
import io.dpuoffload.api.status.ChannelStatus;
import io.dpuoffload.api.status.Condition;
import io.dpuoffload.api.status.ConditionStatus;
import io.dpuoffload.api.status.DaemonStatus;
import io.dpuoffload.api.status.HealthVerdict;
import io.dpuoffload.api.status.MountPhase;
import io.dpuoffload.api.status.MountStatus;
import io.dpuoffload.crd.node.AgentReport;
import io.dpuoffload.crd.node.DaemonReport;
import io.dpuoffload.crd.node.PairConditions;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportsTest {
    private static final Instant T0 = Instant.parse("2026-12-07T06:00:00.250Z");
    private static final Instant T1 = Instant.parse("2026-12-07T06:05:00Z");

    private static AgentStatus dpuStatus(boolean connected, Instant at) {
        return new AgentStatus(
                "p1",
                Path.of("/run/root"),
                at,
                List.of(
                        new Condition(Condition.ROOT_READY, ConditionStatus.TRUE, "Built", "9 steps made", at, 1),
                        new Condition(
                                Condition.CHANNEL_CONNECTED,
                                ConditionStatus.of(connected),
                                connected ? "Connected" : "Disconnected",
                                "tcp://198.51.100.1:7400",
                                at,
                                1),
                        new Condition(Condition.DAEMONS_READY, ConditionStatus.TRUE, "Running", "1 running", at, 1),
                        new Condition(Condition.READY, ConditionStatus.of(connected), "AllReady", "", at, 1)),
                List.of(new MountStatus(MountPhase.APPLIED, "share", Path.of("/run/root/srv"), "offload-fs data", "")),
                List.of(new DaemonStatus("sleeper", true, 42L, 1, 143, new HealthVerdict(true, "ok", 0, 3), List.of())),
                new ChannelStatus("tcp://198.51.100.1:7400", connected));
    }

    @Test
    void theDpuReportsEveryPairConditionFromItsAgentsStatus() {
        List<Condition> conditions = Reports.dpu(dpuStatus(true, T0), 7);

        assertThat(conditions).extracting(Condition::type).containsExactlyElementsOf(PairConditions.PARTS);
        assertThat(conditions).allMatch(Condition::holds).allMatch(c -> c.observedGeneration() == 7);
        assertThat(conditions.get(1).reason())
                .as("FilesystemReady from RootReady")
                .isEqualTo("Built");
    }

    @Test
    void withTheChannelDownIpcAndExecAreNotReadyEither() {
        List<Condition> conditions = Reports.dpu(dpuStatus(false, T0), 7);

        assertThat(conditions)
                .filteredOn(c -> !c.holds())
                .extracting(Condition::type)
                .containsExactly(PairConditions.CHANNEL_READY, PairConditions.IPC_READY, PairConditions.EXEC_READY);
    }

    @Test
    void theHostHasNoDaemonsAndItsChannelIsReadyWhileADpuIsConnected() {
        List<Condition> idle = Reports.host("tcp://198.51.100.1:7400", 0, 2, T0);
        List<Condition> connected = Reports.host("tcp://198.51.100.1:7400", 1, 2, T0);

        assertThat(idle).extracting(Condition::type).doesNotContain(PairConditions.DAEMONS_READY);
        assertThat(idle)
                .filteredOn(c -> !c.holds())
                .extracting(Condition::reason)
                .containsExactly("NoPeer");
        assertThat(connected).allMatch(Condition::holds);
    }

    @Test
    void aConditionKeepsItsTransitionTimeWhileItsStatusStays() {
        List<Condition> first = Reports.merged(List.of(), Reports.host("e", 0, 1, T0));
        List<Condition> again = Reports.merged(first, Reports.host("e", 0, 1, T1));
        List<Condition> connected = Reports.merged(again, Reports.host("e", 1, 1, T1));

        assertThat(again).allMatch(c -> c.lastTransitionTime().equals(T0));
        assertThat(connected)
                .filteredOn(c -> c.type().equals(PairConditions.CHANNEL_READY))
                .extracting(Condition::lastTransitionTime)
                .containsExactly(T1);
    }

    @Test
    void theReportCarriesTheMountsDaemonsAndTimesInKubernetesForm() {
        AgentStatus status = dpuStatus(true, T0);
        AgentReport report = Reports.report(
                "pod-1 0.1.0",
                7,
                List.of("sleeper@r1"),
                Reports.dpu(status, 7),
                Reports.channel("tcp://198.51.100.1:7400", true, null),
                Reports.mounts(status),
                Reports.daemons(status),
                false,
                T1);

        assertThat(report.reported()).isEqualTo("2026-12-07T06:05:00Z");
        assertThat(report.conditions().getFirst().getLastTransitionTime()).isEqualTo("2026-12-07T06:00:00Z");
        assertThat(report.conditions().getFirst().getStatus()).isEqualTo("True");
        assertThat(report.mounts().getFirst().phase()).isEqualTo("APPLIED");
        assertThat(report.mounts().getFirst().detail()).isNull();
        assertThat(report.daemons().getFirst().pid()).isEqualTo(42L);
        assertThat(report.daemons().getFirst().healthy()).isTrue();
        assertThat(report.daemons().getFirst().lastLines())
                .as("a running daemon's")
                .isNull();
        assertThat(report.tornDown()).isNull();
    }

    @Test
    void aDaemonThatEndedReportsTheLastFewLinesItPrinted() {
        AgentStatus running = dpuStatus(true, T0);
        List<String> said = java.util.stream.IntStream.rangeClosed(1, 20)
                .mapToObj(i -> "line " + i)
                .toList();
        AgentStatus ended = new AgentStatus(
                running.pair(),
                running.root(),
                running.updated(),
                running.conditions(),
                running.mounts(),
                List.of(new DaemonStatus("sleeper", false, null, 1, 1, null, said)),
                running.channel());

        assertThat(Reports.daemons(ended).getFirst().lastLines())
                .as("the last %d, for the resource (the agent's status keeps all 20)", DaemonReport.MOST_LINES)
                .containsExactly("line 16", "line 17", "line 18", "line 19", "line 20");
    }

    @Test
    void twoReportsThatDifferOnlyInWhenTheyWereWrittenSayTheSame() {
        var conditions = Reports.host("e", 1, 1, T0);
        AgentReport a = Reports.report("pod", 1, List.of("p@1"), conditions, null, null, null, false, T0);
        AgentReport b = Reports.report("pod", 1, List.of("p@1"), conditions, null, null, null, false, T1);
        AgentReport c = Reports.report("pod", 2, List.of("p@1"), conditions, null, null, null, false, T1);

        assertThat(Reports.sameContent(a, b)).isTrue();
        assertThat(Reports.sameContent(a, c)).isFalse();
    }
}
