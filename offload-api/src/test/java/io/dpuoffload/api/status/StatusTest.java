package io.dpuoffload.api.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.api.yaml.Mappers;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusTest {
    private static final Instant T0 = Instant.parse("2026-01-31T12:00:00Z");
    private static final Instant T1 = Instant.parse("2026-01-31T12:05:00Z");

    static AgentStatus sample() {
        return new AgentStatus(
                "demo",
                Path.of("/run/dpu-offload/root"),
                T1,
                List.of(new Condition(Condition.READY, ConditionStatus.TRUE, "AllReady", "", T0, 1)),
                List.of(new MountStatus(
                        MountPhase.APPLIED,
                        "tmpfs",
                        Path.of("/run/dpu-offload/root"),
                        "tmpfs /run/dpu-offload/root (mode=0755,size=16m)",
                        "")),
                List.of(new DaemonStatus(
                        "libvirtd",
                        true,
                        41L,
                        0,
                        null,
                        new HealthVerdict(true, "1 running, 0 defined domain(s)", 0, 3),
                        List.of())),
                new ChannelStatus("tcp://198.51.100.1:7400", true));
    }

    @Test
    void theTextHasALineForEachThing() {
        assertThat(StatusText.lines(sample()))
                .containsExactly(
                        "pair demo: offload root /run/dpu-offload/root",
                        "Ready            True    AllReady",
                        "channel tcp://198.51.100.1:7400 connected",
                        "  APPLIED  tmpfs /run/dpu-offload/root (mode=0755,size=16m)",
                        "  daemon libvirtd     running, pid 41, restarts 0, healthy: 1 running, 0 defined domain(s)");
        assertThat(StatusText.daemon(new DaemonStatus(
                        "virtlogd", false, null, 2, 137, new HealthVerdict(false, "no answer", 1, 3), List.of())))
                .isEqualTo("virtlogd     not running, restarts 2, last exit 137, unhealthy (1 of 3): no answer");
    }

    @Test
    void aDaemonThatEndedShowsWhatItSaidLast() {
        AgentStatus ended = new AgentStatus(
                sample().pair(),
                sample().root(),
                sample().updated(),
                sample().conditions(),
                sample().mounts(),
                List.of(new DaemonStatus(
                        "libvirtd", false, null, 0, 1, null, List.of("error: cannot find user 'libvirt-qemu'"))),
                sample().channel());
        assertThat(StatusText.lines(ended))
                .endsWith(
                        "  daemon libvirtd     not running, restarts 0, last exit 1",
                        "         | error: cannot find user 'libvirt-qemu'");
    }

    @Test
    void writtenAndReadInYamlAndJson() throws Exception {
        String yaml = Mappers.yaml().writeValueAsString(sample());
        assertThat(yaml).contains("status: \"True\"", "lastTransitionTime: 2026-01-31T12:00:00Z", "phase: APPLIED");
        assertThat(Mappers.yaml().readValue(yaml, AgentStatus.class)).isEqualTo(sample());
        String json = Mappers.json().writeValueAsString(sample());
        assertThat(Mappers.json().readValue(json, AgentStatus.class)).isEqualTo(sample());
        assertThat(sample().ready()).isTrue();
    }

    @Test
    void aConditionKeepsItsTransitionTimeWhileItsStatusStays() {
        List<Condition> first =
                Condition.set(List.of(), new Condition(Condition.READY, ConditionStatus.FALSE, "Starting", "", T0, 1));
        List<Condition> same = Condition.set(
                first, new Condition(Condition.READY, ConditionStatus.FALSE, "DaemonsNotReady", "x", T1, 1));
        assertThat(same).singleElement().satisfies(c -> {
            assertThat(c.lastTransitionTime()).isEqualTo(T0);
            assertThat(c.reason()).isEqualTo("DaemonsNotReady");
        });
        List<Condition> changed =
                Condition.set(same, new Condition(Condition.READY, ConditionStatus.TRUE, "AllReady", "", T1, 2));
        assertThat(changed).singleElement().satisfies(c -> {
            assertThat(c.lastTransitionTime()).isEqualTo(T1);
            assertThat(c.observedGeneration()).isEqualTo(2);
        });
    }
}
