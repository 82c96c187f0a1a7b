package io.dpuoffload.crd.node;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One daemon in the DPU's root: running, healthy (null without a check), restarts and why; while it
 * does not run, the last lines it printed ({@link #MOST_LINES} at most: why it ended, often).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DaemonReport(
        String name,
        Boolean running,
        Long pid,
        Integer restarts,
        Integer lastExit,
        Boolean healthy,
        String detail,
        List<String> lastLines) {

    /** A few: the resource is written at each change, and the agent's status keeps more. */
    public static final int MOST_LINES = 5;
}
