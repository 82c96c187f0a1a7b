package io.dpuoffload.topology;

import java.util.List;

/**
 * What a finished command left behind. {@code stdout} and {@code stderr} are line-oriented: every line, including a
 * last one printed without a newline, ends in {@code \n}.
 */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {

    public CommandResult {
        command = List.copyOf(command);
    }

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** Returns this result, or throws with the command's output when it exited non-zero. */
    public CommandResult orThrow() {
        if (!succeeded()) {
            throw new TopologyException("`" + String.join(" ", command) + "` exited with " + exitCode + "\nstdout:\n"
                    + stdout + "stderr:\n" + stderr);
        }
        return this;
    }
}
