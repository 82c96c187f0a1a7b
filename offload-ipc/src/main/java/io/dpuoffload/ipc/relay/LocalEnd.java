package io.dpuoffload.ipc.relay;

/** What a relay's local descriptor is, and so which ways bytes move through it. */
public enum LocalEnd {
    /** A connected socket: both ways, with descriptor passing and (for seqpacket) message boundaries. */
    SOCKET,
    /** A pipe or fifo end the relay reads: bytes go only to the peer. */
    PIPE_SOURCE,
    /** A pipe or fifo end the relay writes: bytes come only from the peer. */
    PIPE_SINK
}
