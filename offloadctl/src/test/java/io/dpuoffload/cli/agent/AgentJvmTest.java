package io.dpuoffload.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every way an agent starts gives its JVM the same options: the launcher, the DaemonSet, the demo and tests. */
class AgentJvmTest {
    private static final Path PROJECT = Path.of("..");

    @Test
    void theLauncherGivesAgentsTheOptions() throws IOException {
        String launcher = Files.readString(PROJECT.resolve("offloadctl/src/dist/bin/offloadctl"));
        assertThat(words(find(launcher, "(?m)^readonly AGENT_JAVA_OPTS=\"([^\"]*)\"$")))
                .isEqualTo(AgentJvm.OPTIONS);
    }

    @Test
    void theDaemonSetGivesTheAgentTheOptions() throws IOException {
        String manifest = Files.readString(PROJECT.resolve("manifests/node-agent.yaml"));
        assertThat(words(find(manifest, "(?m)- name: JAVA_TOOL_OPTIONS\\n\\s+value: (.*)$")))
                .isEqualTo(AgentJvm.OPTIONS);
    }

    @Test
    void theOptionsStartAJvm() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        var command = new java.util.ArrayList<>(List.of(java.toString()));
        command.addAll(AgentJvm.OPTIONS);
        command.add("-version");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as(output).isZero();
    }

    private static String find(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as("%s in the file", regex).isTrue();
        return matcher.group(1).strip();
    }

    private static List<String> words(String options) {
        return List.of(options.split("\\s+"));
    }
}
