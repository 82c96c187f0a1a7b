package io.dpuoffload.agent.dpu;

import java.nio.file.Path;

/**
 * Whether something listens at a Unix socket path now: a daemon's readiness, and an earlier
 * instance not yet gone. In the agent, the kernel's table of listening sockets; in the unit tests,
 * the sockets the test's daemons say they listen at.
 */
@FunctionalInterface
interface ListeningSockets {
    boolean listensAt(Path socket);
}
