package io.dpuoffload.cli;

/**
 * The exit codes of every offloadctl command. Scripts and the node agent's supervisor branch on
 * them, so they never change meaning; new meanings get new numbers.
 */
public final class ExitCodes {
    /** The command did what it was asked. */
    public static final int OK = 0;
    /** The command failed at run time; the message on stderr says why. */
    public static final int FAILURE = 1;
    /** The command line was wrong (unknown option, missing argument); usage is printed. */
    public static final int USAGE = 2;
    /** An input file (configuration, certificate, key) is missing or invalid; the message names it. */
    public static final int BAD_INPUT = 3;
    /** The peer could not be reached or refused us (TLS, identity, protocol version). */
    public static final int PEER_UNAVAILABLE = 4;
    /** {@code status}: the agent runs, but something is not ready yet (its conditions say what). */
    public static final int NOT_READY = 5;
    /** Stopped by SIGINT/SIGTERM before finishing. */
    public static final int INTERRUPTED = 130;

    /** The table printed at the foot of {@code offloadctl --help}. */
    public static final String HELP_TABLE = """
            Exit codes:
              0    success
              1    failure at run time (the message says why)
              2    usage error on the command line
              3    bad input file: configuration, certificate or key (the message names it)
              4    peer unreachable or refused us (TLS, identity, protocol version)
              5    status: the agent is not ready (its conditions say what)
              130  interrupted by a signal
            """;

    private ExitCodes() {}
}
