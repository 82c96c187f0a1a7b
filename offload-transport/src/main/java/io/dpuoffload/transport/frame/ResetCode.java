package io.dpuoffload.transport.frame;

/** Why a request or stream was ended early (RESET frames). */
public enum ResetCode {
    /** The caller gave up (cancelled the future or closed the stream). */
    CANCELLED(1),
    /** The receiver has too many open requests/streams; try later. */
    REFUSED(2),
    /** The request's deadline passed before an answer. */
    DEADLINE_EXCEEDED(3),
    /** The receiver has no handler for the service the request names. */
    NO_HANDLER(4),
    /** The handler failed in a way it did not map to an error reply. */
    INTERNAL(5),
    /** The peer sent more bytes than its window allowed. */
    FLOW_CONTROL(6),
    /** A code this build does not know (sent by a newer peer). */
    UNKNOWN(0);

    private final int code;

    ResetCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static ResetCode ofCode(int code) {
        for (ResetCode value : values()) {
            if (value.code == code) {
                return value;
            }
        }
        return UNKNOWN;
    }
}
