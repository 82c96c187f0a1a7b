package io.dpuoffload.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.cli.Offloadctl;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentStatusCommandTest {
    private static final String STATUS = """
            pair demo: offload root /run/dpu-offload/root
              APPLIED  tmpfs /run/dpu-offload/root (mode=0755,size=16m)
              daemon libvirtd     running, pid 41, restarts 0, healthy: 1 running, 0 defined domain(s)
            """;

    @Test
    void bothStatusCommandsPrintTheAgentsPlanAndDaemons(@TempDir Path state) throws Exception {
        Files.writeString(state.resolve("status"), STATUS);
        for (String[] command : new String[][] {
            {"status", "--state", state.toString()}, {"agent", "status", "--state", state.toString()}
        }) {
            StringWriter out = new StringWriter();
            var cli = Offloadctl.commandLine();
            cli.setOut(new PrintWriter(out));
            assertThat(cli.execute(command)).as(String.join(" ", command)).isZero();
            assertThat(out.toString()).as(String.join(" ", command)).isEqualTo(STATUS);
        }
    }

    @Test
    void noStatusNamesTheStateDirectoryAndTheFix(@TempDir Path state) {
        StringWriter err = new StringWriter();
        var cli = Offloadctl.commandLine();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("status", "--state", state.toString())).isNotZero();
        assertThat(err.toString()).contains(state.toString(), "is the agent running here?");
    }
}
