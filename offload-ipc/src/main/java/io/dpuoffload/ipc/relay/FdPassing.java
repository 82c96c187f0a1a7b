package io.dpuoffload.ipc.relay;

import io.dpuoffload.ipc.wire.PassedFds.PassedFd;
import io.dpuoffload.linux.FileCalls;
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

    /** Refuses every descriptor: for relays that must not pass any. */
    FdPassing NONE = new FdPassing() {
        @Override
        public List<PassedFd> outgoing(int[] fds, String description) {
            org.slf4j.LoggerFactory.getLogger(SocketRelay.class)
                    .warn(
                            "{}: {} passed descriptor(s) dropped: this relay does not carry descriptors",
                            description,
                            fds.length);
            for (int fd : fds) {
                FileCalls.closeQuietly(fd);
            }
            return null;
        }

        @Override
        public int[] incoming(List<PassedFd> fds, String description) {
            return null;
        }
    };
}
