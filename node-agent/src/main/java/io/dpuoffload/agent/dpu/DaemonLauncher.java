package io.dpuoffload.agent.dpu;

import java.io.IOException;

/**
 * How the supervisor starts a daemon's process: in the agent, the interception launcher (the child
 * runs under the seccomp filter the agent serves); in the unit tests, processes the test controls.
 * The supervisor waits for, signals and kills what this returns only through {@link Process}.
 */
@FunctionalInterface
interface DaemonLauncher {
    Process launch(ProcessBuilder command) throws IOException;
}
