package io.dpuoffload.transport.frame;

/** Why a connection is being closed (GO_AWAY frames). */
public enum GoAwayCode {
    /** Orderly shutdown: the peer is stopping. Reconnecting later is right. */
    SHUTDOWN(1),
    /** The protocol versions of the two sides do not overlap. */
    VERSION_MISMATCH(2),
    /** The peer's certificate identity is not allowed to talk to this side. */
    IDENTITY_REFUSED(3),
    /** A frame broke the protocol. */
    PROTOCOL_ERROR(4),
    /**
     * Only this connection ends, not the peer: reconnect at once, its services keep their state
     * (carried connections resume). A peer that does not know the code reconnects as after any loss.
     */
    RECONNECT(5),
    /** A code this build does not know (sent by a newer peer). */
    UNKNOWN(0);

    private final int code;

    GoAwayCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static GoAwayCode ofCode(int code) {
        for (GoAwayCode value : values()) {
            if (value.code == code) {
                return value;
            }
        }
        return UNKNOWN;
    }
}
