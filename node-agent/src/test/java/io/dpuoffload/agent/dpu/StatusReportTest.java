package io.dpuoffload.agent.dpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.agent.plan.MountStep;
import io.dpuoffload.agent.plan.StepState;
import io.dpuoffload.api.spec.ResolvedPair;
import io.dpuoffload.api.status.AgentStatus;
import io.dpuoffload.api.status.ChannelStatus;
import io.dpuoffload.api.status.Condition;
import io.dpuoffload.api.status.DaemonStatus;
import io.dpuoffload.api.status.HealthVerdict;
import io.dpuoffload.api.status.MountPhase;
import io.dpuoffload.api.status.StatusText;
import io.dpuoffload.api.yaml.SpecFiles;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusReportTest {
    private static final ResolvedPair PAIR = SpecFiles.parsePair("""
            pair: p1
            host: {node: host-1, endpoint: tcp://198.51.100.1:7400}
            dpu: {node: dpu-1, root: /r}
            profiles: [libvirt]
            """);
    private static final Instant T0 = Instant.parse("2026-01-31T12:00:00Z");
    private static final Instant T1 = Instant.parse("2026-01-31T12:01:00Z");
    private static final StepState TMPFS =
            new StepState(new MountStep.Tmpfs(Path.of("/r"), "mode=0755"), MountPhase.APPLIED, "");
    private static final ChannelStatus UP = new ChannelStatus("tcp://198.51.100.1:7400", true);
    private static final DaemonStatus VIRTLOGD = new DaemonStatus("virtlogd", true, 40L, 0, null, null, List.of());
    private static final DaemonStatus LIBVIRTD = new DaemonStatus(
            "libvirtd", true, 41L, 0, null, new HealthVerdict(true, "0 running, 0 defined", 0, 3), List.of());

    private static String condition(AgentStatus status, String type) {
        return status.conditions().stream()
                .filter(c -> c.type().equals(type))
                .map(c -> c.status() + " " + c.reason() + ": " + c.message())
                .findFirst()
                .orElseThrow();
    }

    @Test
    void readyWhenTheRootIsBuiltTheChannelUpAndEveryDaemonRunsHealthy() {
        AgentStatus status = StatusReport.of(PAIR, List.of(TMPFS), List.of(VIRTLOGD, LIBVIRTD), 2, UP, List.of(), T0);
        assertThat(status.ready()).isTrue();
        assertThat(status.conditions())
                .extracting(Condition::type)
                .containsExactly(
                        Condition.ROOT_READY, Condition.CHANNEL_CONNECTED, Condition.DAEMONS_READY, Condition.READY);
        assertThat(StatusText.lines(status))
                .contains("  APPLIED  tmpfs /r (mode=0755)")
                .anyMatch(line ->
                        line.matches("  daemon libvirtd +running, pid 41, restarts 0, healthy: 0 running, 0 defined"));
    }

    @Test
    void notReadyNamesTheFirstAspectThatFails() {
        StepState failed =
                new StepState(new MountStep.Tmpfs(Path.of("/r/tmp"), "mode=1777"), MountPhase.FAILED, "EPERM");
        AgentStatus broken = StatusReport.of(PAIR, List.of(TMPFS, failed), List.of(), 2, null, List.of(), T0);
        assertThat(broken.ready()).isFalse();
        assertThat(condition(broken, Condition.ROOT_READY))
                .isEqualTo("False StepFailed: tmpfs /r/tmp (mode=1777): EPERM");
        assertThat(condition(broken, Condition.CHANNEL_CONNECTED)).startsWith("False NotStarted");
        assertThat(condition(broken, Condition.READY)).startsWith("False StepFailed: RootReady: tmpfs /r/tmp");

        DaemonStatus sick =
                new DaemonStatus("libvirtd", true, 41L, 0, null, new HealthVerdict(false, "timeout", 1, 3), List.of());
        assertThat(condition(
                        StatusReport.of(PAIR, List.of(TMPFS), List.of(VIRTLOGD, sick), 2, UP, List.of(), T0),
                        Condition.DAEMONS_READY))
                .isEqualTo("False Unhealthy: libvirtd failing health checks");
        DaemonStatus ended = new DaemonStatus("libvirtd", false, null, 3, 1, null, List.of());
        assertThat(condition(
                        StatusReport.of(PAIR, List.of(TMPFS), List.of(VIRTLOGD, ended), 2, UP, List.of(), T0),
                        Condition.DAEMONS_READY))
                .isEqualTo("False NotRunning: libvirtd not running");
        assertThat(condition(
                        StatusReport.of(PAIR, List.of(TMPFS), List.of(VIRTLOGD), 2, UP, List.of(), T0),
                        Condition.DAEMONS_READY))
                .isEqualTo("False Starting: 1 of 2 started");
        assertThat(condition(
                        StatusReport.of(
                                PAIR,
                                List.of(TMPFS),
                                List.of(),
                                0,
                                new ChannelStatus("tcp://h:1", false),
                                List.of(),
                                T0),
                        Condition.CHANNEL_CONNECTED))
                .isEqualTo("False Disconnected: reconnecting to tcp://h:1");
        StepState undone = new StepState(TMPFS.step(), MountPhase.UNDONE, "");
        assertThat(condition(
                        StatusReport.of(PAIR, List.of(undone), List.of(), 0, UP, List.of(), T0), Condition.ROOT_READY))
                .isEqualTo("False TakenDown: 1 step(s) undone");
    }

    @Test
    void aConditionsTransitionTimeIsWhenItsStatusChanged() {
        AgentStatus first = StatusReport.of(PAIR, List.of(TMPFS), List.of(VIRTLOGD), 2, UP, List.of(), T0);
        AgentStatus later =
                StatusReport.of(PAIR, List.of(TMPFS), List.of(VIRTLOGD, LIBVIRTD), 2, UP, first.conditions(), T1);
        assertThat(later.conditions())
                .filteredOn(c -> c.type().equals(Condition.ROOT_READY))
                .singleElement()
                .extracting(Condition::lastTransitionTime)
                .isEqualTo(T0);
        assertThat(later.conditions())
                .filteredOn(c -> c.type().equals(Condition.READY))
                .singleElement()
                .extracting(Condition::lastTransitionTime)
                .isEqualTo(T1);
    }
}
