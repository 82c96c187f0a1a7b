package io.dpuoffload.cli.agent;

import io.dpuoffload.api.status.AgentStatus;
import io.dpuoffload.api.status.HostAgentStatus;
import io.dpuoffload.api.status.StatusFile;
import io.dpuoffload.api.status.StatusText;
import io.dpuoffload.api.yaml.Mappers;
import io.dpuoffload.cli.BadInputException;
import io.dpuoffload.cli.ExitCodes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code offloadctl agent status}, also {@code offloadctl status}: the DPU agent's status record,
 * for people (conditions, each step of the root, each daemon) or as YAML or JSON, or with {@code
 * --role host} the host agent's; the exit code says whether everything is ready.
 */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = {
            "Print the DPU agent's status: its conditions, each step of the offload root and each daemon;",
            "with --role host, the host agent's: its DPU's connection, its shares, programs and what it holds.",
            "Exits 0 when the agent is ready (a host agent: its DPU connected, its shares there),",
            "5 when it runs but something is not ready yet."
        })
public class AgentStatusCommand implements Callable<Integer> {
    enum Format {
        text,
        yaml,
        json
    }

    @picocli.CommandLine.Mixin
    StateDirectory stateDirectory;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "text|yaml|json",
            defaultValue = "text",
            description = "How to print it: lines for people (default), or the status record as YAML or JSON.")
    Format format;

    @Spec
    CommandSpec spec;

    /** The same, at the top: what an operator on a DPU asks first. */
    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = {
                "Print the DPU agent's status (the same as 'agent status').",
                "Exits 0 when the agent is ready, 5 when it runs but something is not ready yet."
            })
    public static final class TopLevel extends AgentStatusCommand {}

    @Override
    public Integer call() throws IOException {
        Path state = stateDirectory.path();
        Object status;
        List<String> lines;
        boolean ready;
        try {
            if (stateDirectory.role == AgentCommand.Role.host) {
                HostAgentStatus host = StatusFile.readHost(state);
                status = host;
                lines = host.lines();
                ready = host.ready();
            } else {
                AgentStatus dpu = StatusFile.read(state);
                status = dpu;
                lines = StatusText.lines(dpu);
                ready = dpu.ready();
            }
        } catch (NoSuchFileException e) {
            throw new BadInputException("no status of " + stateDirectory.agent() + " in " + state
                    + " (is the agent running here? --state names another state directory, --role the other agent)");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadInputException(StatusFile.in(state) + " is not the status of " + stateDirectory.agent() + ": "
                    + e.getOriginalMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        switch (format) {
            case text -> lines.forEach(out::println);
            case yaml -> out.print(Mappers.yaml().writeValueAsString(status));
            case json -> out.println(Mappers.json().writeValueAsString(status));
        }
        out.flush();
        return ready ? ExitCodes.OK : ExitCodes.NOT_READY;
    }
}
