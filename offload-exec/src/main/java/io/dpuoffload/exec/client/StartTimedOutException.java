package io.dpuoffload.exec.client;

import java.io.IOException;
import java.time.Duration;

/**
 * The host neither started the program nor refused it within the start bound ({@link
 * RemoteRun#START_BOUND}): the run was cancelled, so a program the host starts late is killed there.
 */
public final class StartTimedOutException extends IOException {
    public StartTimedOutException(String program, Duration bound) {
        super("the host did not start " + program + " within " + bound.toSeconds()
                + " s (a host overloaded or stuck in the start); the run is cancelled");
    }
}
