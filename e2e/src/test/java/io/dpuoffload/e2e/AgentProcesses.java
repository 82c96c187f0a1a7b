package io.dpuoffload.e2e;

import io.dpuoffload.cli.Offloadctl;
import io.dpuoffload.cli.agent.AgentJvm;
import io.dpuoffload.topology.Node;
import io.dpuoffload.topology.StartOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Node agents as the end-to-end tests start them: offloadctl in a JVM of its own on a node. */
public final class AgentProcesses {
    /** As the launcher starts an agent: with {@link AgentJvm#OPTIONS}, so the tests run what users run. */
    private static final List<String> JVM = Stream.concat(
                    Stream.of("--enable-native-access=ALL-UNNAMED"), AgentJvm.OPTIONS.stream())
            .toList();

    private AgentProcesses() {}

    /** {@code offloadctl agent --role ROLE --config PAIR}, with this JVM's java and class path. */
    public static List<String> standalone(String role, Path pair) {
        return Node.javaCommand(
                Offloadctl.class.getName(), JVM, List.of("agent", "--role", role, "--config", pair.toString()));
    }

    /** The agents log at OFFLOADCTL_LOG_LEVEL when the test runs with one (DEBUG to look into a failure). */
    public static StartOptions options() {
        String level = System.getenv("OFFLOADCTL_LOG_LEVEL");
        return level == null
                ? StartOptions.defaults()
                : StartOptions.defaults().withEnvironment("OFFLOADCTL_LOG_LEVEL", level);
    }
}
