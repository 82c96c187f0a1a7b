package io.dpuoffload.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.Offloadctl;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class AgentKubernetesCommandTest {
    private record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Offloadctl.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return new Run(cli.execute(args), out.toString(), err.toString());
    }

    @Test
    void withoutANodeNameItIsAUsageError() {
        assumeTrue(System.getenv("NODE_NAME") == null, "NODE_NAME is set in this environment: it names the node");

        Run run = run("agent", "kubernetes", "--namespace", "dpu-offload");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("--node NODE (or NODE_NAME)");
    }

    @Test
    void aKubeconfigThatIsNotThereIsBadInputNamingIt() {
        Run run = run(
                "agent",
                "kubernetes",
                "--node",
                "host-1",
                "--namespace",
                "dpu-offload",
                "--kubeconfig",
                "/nonexistent/kubeconfig");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).contains("--kubeconfig /nonexistent/kubeconfig");
        assertThat(run.out()).doesNotContain("READY");
    }

    @Test
    void theHelpNamesTheDownwardApiVariables() {
        Run run = run("agent", "kubernetes", "--help");

        assertThat(run.out()).contains("$NODE_NAME", "$POD_NAMESPACE", "$HOST_IP", "--kubeconfig", "--state");
    }
}
