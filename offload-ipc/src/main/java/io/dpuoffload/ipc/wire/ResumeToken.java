package io.dpuoffload.ipc.wire;

import io.netty.buffer.ByteBuf;
import java.security.SecureRandom;

/**
 * Names one resumable carried connection on both sides: 128 random bits, made by the side that
 * opened the connection and known only to the two sides. Presenting it (from the same peer) is
 * what lets a new stream take the connection over after the channel came back.
 */
public record ResumeToken(long high, long low) {
    public static final int BYTES = 16;

    private static final SecureRandom RANDOM = new SecureRandom();

    public static ResumeToken random() {
        return new ResumeToken(RANDOM.nextLong(), RANDOM.nextLong());
    }

    public ByteBuf writeTo(ByteBuf out) {
        return out.writeLong(high).writeLong(low);
    }

    public static ResumeToken readFrom(ByteBuf in) {
        return new ResumeToken(in.readLong(), in.readLong());
    }

    /** Short enough for a log line, long enough to tell connections apart. */
    @Override
    public String toString() {
        return String.format("%08x", (int) (high >>> 32));
    }
}
