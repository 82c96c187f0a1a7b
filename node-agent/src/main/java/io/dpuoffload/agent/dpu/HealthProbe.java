package io.dpuoffload.agent.dpu;

/**
 * Asks a running daemon, as a client would, whether it works. {@link HealthChecks} picks one by the
 * check's kind; the supervisor's restart on failed checks is the same whatever the probe.
 */
interface HealthProbe {
    /** The daemon's answer, in a few words for the status; throws, naming why, when it does not answer. */
    String check() throws Exception;

    /** Where it asks, for the log (a URI, a socket). */
    String target();
}
