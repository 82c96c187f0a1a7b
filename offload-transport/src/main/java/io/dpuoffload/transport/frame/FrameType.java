package io.dpuoffload.transport.frame;

/** The frame types of the wire protocol, with their one-byte codes. Codes never change meaning. */
public enum FrameType {
    /** Client → server: the versions and features the client speaks. */
    HELLO(0x01),
    /** Server → client: the chosen version and the features both sides have. */
    HELLO_ACK(0x02),
    /** Either side: the connection is ending, with a code and a reason. */
    GO_AWAY(0x03),
    /** Either side: liveness probe; the peer answers with PONG. */
    PING(0x04),
    PONG(0x05),
    /** A request to a service on the peer, with a deadline. */
    REQUEST(0x10),
    /** The answer to a REQUEST on the same stream id; flag ERROR marks a failure. */
    RESPONSE(0x11),
    /** Ends a request or byte stream early: cancelled, refused, deadline passed. */
    RESET(0x12),
    /** Opens a long-lived byte stream to a service on the peer. */
    STREAM_OPEN(0x20),
    /** Bytes on a byte stream; flag FIN ends the sender's direction. */
    STREAM_DATA(0x21),
    /** Grants the peer more bytes of send window on a byte stream. */
    WINDOW_UPDATE(0x22),
    /**
     * A message to a service on the peer that wants no answer; stream id 0. Sent only to a peer
     * that offered {@code Feature.NOTICES}: an older one would close the connection on it.
     */
    NOTICE(0x13);

    private static final FrameType[] BY_CODE = new FrameType[256];

    static {
        for (FrameType type : values()) {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type with this code, or null when the code is unknown to this build. */
    public static FrameType ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
