package io.dpuoffload.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.api.status.AgentStatus;
import io.dpuoffload.api.status.ChannelStatus;
import io.dpuoffload.api.status.Condition;
import io.dpuoffload.api.status.ConditionStatus;
import io.dpuoffload.api.status.DaemonStatus;
import io.dpuoffload.api.status.HealthVerdict;
import io.dpuoffload.api.status.HostAgentStatus;
import io.dpuoffload.api.status.MountPhase;
import io.dpuoffload.api.status.MountStatus;
import io.dpuoffload.api.status.StatusFile;
import io.dpuoffload.api.yaml.Mappers;
import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.Offloadctl;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentStatusCommandTest {
    private static final Instant AT = Instant.parse("2026-01-31T12:00:00Z");
    private static final String TEXT = """
            pair demo: offload root /run/dpu-offload/root
            Ready            True    AllReady
            channel tcp://198.51.100.1:7400 connected
              APPLIED  tmpfs /run/dpu-offload/root (mode=0755,size=16m)
              daemon libvirtd     running, pid 41, restarts 0, healthy: 1 running, 0 defined domain(s)
            """;

    private static AgentStatus status(boolean ready) {
        return new AgentStatus(
                "demo",
                Path.of("/run/dpu-offload/root"),
                AT,
                List.of(
                        ready
                                ? new Condition(Condition.READY, ConditionStatus.TRUE, "AllReady", "", AT, 1)
                                : new Condition(
                                        Condition.READY,
                                        ConditionStatus.FALSE,
                                        "NotRunning",
                                        "DaemonsReady: libvirtd not running",
                                        AT,
                                        1)),
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

    private record Run(int exitCode, String out, String err) {}

    private static Run run(String... command) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = Offloadctl.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return new Run(cli.execute(command), out.toString(), err.toString());
    }

    @Test
    void bothStatusCommandsPrintTheAgentsConditionsPlanAndDaemons(@TempDir Path state) throws Exception {
        StatusFile.write(state, status(true));
        for (String[] command : new String[][] {
            {"status", "--state", state.toString()}, {"agent", "status", "--state", state.toString()}
        }) {
            Run run = run(command);
            assertThat(run.exitCode()).as(String.join(" ", command)).isZero();
            assertThat(run.out()).as(String.join(" ", command)).isEqualTo(TEXT);
        }
    }

    @Test
    void theRecordAsYamlOrJson(@TempDir Path state) throws Exception {
        StatusFile.write(state, status(true));
        Run yaml = run("status", "--state", state.toString(), "-o", "yaml");
        assertThat(Mappers.yaml().readValue(yaml.out(), AgentStatus.class)).isEqualTo(status(true));
        Run json = run("status", "--state", state.toString(), "--output", "json");
        assertThat(json.out()).startsWith("{");
        assertThat(Mappers.json().readValue(json.out(), AgentStatus.class)).isEqualTo(status(true));
    }

    @Test
    void notReadyExitsFiveAndSaysWhy(@TempDir Path state) throws Exception {
        StatusFile.write(state, status(false));
        Run run = run("status", "--state", state.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.NOT_READY);
        assertThat(run.out()).contains("Ready            False   NotRunning: DaemonsReady: libvirtd not running");
    }

    @Test
    void aStatusFromANewerAgentIsShownAndABrokenOneNamed(@TempDir Path state) throws Exception {
        StatusFile.write(state, status(true));
        java.nio.file.Files.writeString(
                StatusFile.in(state), java.nio.file.Files.readString(StatusFile.in(state)) + "gpus: []\n");
        assertThat(run("status", "--state", state.toString()).out()).isEqualTo(TEXT);
        java.nio.file.Files.writeString(StatusFile.in(state), "pair: [\n");
        Run broken = run("status", "--state", state.toString());
        assertThat(broken.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(broken.err()).contains("status.yaml is not the status of the DPU agent");
    }

    private static HostAgentStatus hostStatus(boolean connected) {
        return new HostAgentStatus(
                "demo",
                "host-1",
                "tcp://198.51.100.1:7400",
                AT,
                "dpu-1",
                connected ? AT.minusSeconds(60) : null,
                List.of(
                        new HostAgentStatus.Share("libvirt", Path.of("/var/lib/libvirt"), true),
                        new HostAgentStatus.Share("images", Path.of("/var/lib/dpu-offload/images"), connected)),
                List.of(Path.of("/usr/bin/qemu-system-x86_64")),
                4,
                2,
                1);
    }

    @Test
    void theHostAgentsStatusSaysWhetherItsDpuIsConnectedAndWhatItHolds(@TempDir Path state) throws Exception {
        StatusFile.write(state, hostStatus(true));
        Run run = run("agent", "status", "--role", "host", "--state", state.toString());
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("""
                        pair demo: host host-1, listening on tcp://198.51.100.1:7400
                        dpu dpu-1 connected since 2026-01-31T11:59:00Z
                          share   libvirt      /var/lib/libvirt
                          share   images       /var/lib/dpu-offload/images
                          program /usr/bin/qemu-system-x86_64
                          4 offload-fs sessions, 2 programs running, 1 carried connections
                        """);
        Run yaml = run("status", "--role", "host", "--state", state.toString(), "-o", "yaml");
        assertThat(Mappers.yaml().readValue(yaml.out(), HostAgentStatus.class)).isEqualTo(hostStatus(true));

        StatusFile.write(state, hostStatus(false));
        Run waiting = run("agent", "status", "--role", "host", "--state", state.toString());
        assertThat(waiting.exitCode()).as("no DPU yet, a share missing").isEqualTo(ExitCodes.NOT_READY);
        assertThat(waiting.out())
                .contains("dpu dpu-1 not connected", "share   images       /var/lib/dpu-offload/images  (MISSING)");
    }

    @Test
    void eachRoleNamesItsOwnAgentWhenThereIsNone(@TempDir Path state) {
        Run host = run("agent", "status", "--role", "host", "--state", state.toString());
        assertThat(host.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(host.err()).contains("no status of the host agent in " + state, "--role the other agent");
        Run stop = run("agent", "stop", "--role", "host", "--state", state.toString());
        assertThat(stop.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(stop.err()).contains("no host agent runs with state directory " + state);
    }

    @Test
    void noStatusNamesTheStateDirectoryAndTheFix(@TempDir Path state) {
        Run run = run("status", "--state", state.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains(state.toString(), "is the agent running here?");
    }
}
