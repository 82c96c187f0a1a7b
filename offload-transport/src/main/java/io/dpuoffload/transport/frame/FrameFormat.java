package io.dpuoffload.transport.frame;

/**
 * The frame header and its limits, in one place.
 *
 * <pre>
 *  0      4     5      6       8          12         16
 *  | magic | ver | type | flags | streamId | length | payload (length bytes) ...
 * </pre>
 *
 * All integers are big-endian. The header layout never changes between protocol versions, so two
 * builds can always read each other's HELLO and GO_AWAY and tell the operator why they disagree.
 */
public final class FrameFormat {
    /** "DPUO": lets a peer that is not ours (an HTTP client, a port scanner) be told apart at once. */
    public static final int MAGIC = 0x4450_554F;

    public static final int HEADER_BYTES = 16;

    /**
     * The largest payload of one frame. A file-system request carries up to 1 MiB of data (FUSE's
     * max_write) plus its own header; 2 MiB leaves room for that and bounds what one frame can
     * make the decoder buffer.
     */
    public static final int MAX_PAYLOAD_BYTES = 2 * 1024 * 1024;

    /**
     * The largest STREAM_DATA payload a sender produces. Small enough that one busy stream cannot
     * hold the socket for long (fairness between streams), large enough to amortize the header.
     */
    public static final int MAX_DATA_CHUNK_BYTES = 64 * 1024;

    /** Longest text (reasons, software names) carried in a frame; longer text is cut. */
    public static final int MAX_TEXT_BYTES = 1024;

    /** STREAM_DATA: the sender will send no more bytes on this stream. */
    public static final int FLAG_FIN = 0x1;

    /** RESPONSE: the payload is an error (code and message), not a result. */
    public static final int FLAG_ERROR = 0x1;

    private FrameFormat() {}
}
