package io.dpuoffload.cli.channel;

/**
 * The benchmark's baseline: what a user would do without our channel, a plain TCP socket with no TLS and no framing.
 * A connection starts with one mode byte:
 *
 * <ul>
 *   <li>{@link #ECHO}, then the message size as a 4-byte int: the server sends back every message of that size it
 *       reads, until end of stream;
 *   <li>{@link #SINK}: the server reads to end of stream, then answers the byte count as an 8-byte long and closes.
 * </ul>
 */
final class BaselineProtocol {

    static final byte ECHO = 'E';
    static final byte SINK = 'S';

    /** The bench sends 64-byte messages; the cap bounds what one connection can make the server allocate. */
    static final int MAX_ECHO_BYTES = 64 * 1024;

    /** The bench opens a few connections at a time; the cap bounds threads and sockets a stray client can hold. */
    static final int MAX_CONNECTIONS = 64;

    /** Socket reads and writes in pieces this big: as large as the channel's writes, so neither side has an edge. */
    static final int CHUNK_BYTES = ChannelLoad.CHUNK_BYTES;

    private BaselineProtocol() {}
}
