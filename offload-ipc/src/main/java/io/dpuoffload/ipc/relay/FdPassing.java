package io.dpuoffload.ipc.relay;

import io.dpuoffload.ipc.wire.PassedFds.PassedFd;
import java.util.List;

/** How a relay carries descriptors passed with a message (SCM_RIGHTS) across, both ways. */
public interface FdPassing {
    /**
     * Describes {@code fds}, received from the local socket, for the peer; takes ownership of them.
     * Returns null, having closed them all and logged a warning naming each, when one cannot be carried.
     */
    List<PassedFd> outgoing(int[] fds, String description);

    /**
     * Local descriptors standing for what the peer passed, in order, for the message that follows; or
     * null (with a warning, nothing left open) when one cannot be made here.
     */
    int[] incoming(List<PassedFd> fds, String description);
}
