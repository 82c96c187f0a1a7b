package io.dpuoffload.ipc.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.util.function.Consumer;

/**
 * What a carried connection's stream holds: records of a kind byte, a 32-bit length and the
 * payload. On a SOCK_SEQPACKET connection one DATA record is one message, so boundaries survive the
 * crossing; on SOCK_STREAM they mean nothing. Descriptors passed with a message travel in an FDS record just before it.
 */
public final class Records {
    public static final int STATUS = 0;
    public static final int DATA = 1;

    /** The descriptors passed with the next DATA record ({@link PassedFds}). */
    public static final int FDS = 2;

    /**
     * The sender's direction is over (its socket's reader saw end of file), on a resumable
     * connection: numbered and kept until acknowledged like data, so a half-close made while the
     * channel was down still arrives. A connection that does not resume finishes its stream instead.
     */
    public static final int END = 3;

    public static final int HEADER_BYTES = 5;

    /** A record bigger than this is a broken peer, not a message (a seqpacket socket's buffer is smaller). */
    public static final int MAX_PAYLOAD = 4 << 20;

    public record Record(int kind, ByteBuf payload) {}

    public static ByteBuf status(ByteBufAllocator alloc, int errno) {
        return alloc.buffer(HEADER_BYTES + 4).writeByte(STATUS).writeInt(4).writeInt(errno);
    }

    /**
     * A STATUS that also says the sender resumes this connection, and how many of the connection's
     * records it has received (zero on a fresh connection). A peer of the first version reads only
     * the errno.
     */
    public static ByteBuf resumableStatus(ByteBufAllocator alloc, int errno, long received) {
        return alloc.buffer(HEADER_BYTES + 12)
                .writeByte(STATUS)
                .writeInt(12)
                .writeInt(errno)
                .writeLong(received);
    }

    /** Whether a STATUS payload is {@link #resumableStatus}'s. */
    public static boolean isResumable(ByteBuf statusPayload) {
        return statusPayload.readableBytes() >= 12;
    }

    /** Records that a resumable connection numbers, keeps until acknowledged, and sends again after a resume. */
    public static boolean isNumbered(int kind) {
        return kind == DATA || kind == FDS || kind == END;
    }

    public static ByteBuf end(ByteBufAllocator alloc) {
        return alloc.buffer(HEADER_BYTES).writeByte(END).writeInt(0);
    }

    /** A DATA record of {@code payload}'s readable bytes, taking ownership of it. */
    public static ByteBuf data(ByteBufAllocator alloc, ByteBuf payload) {
        return record(alloc, DATA, payload);
    }

    /** A record of any kind (other services use the same framing with kinds of their own). */
    public static ByteBuf record(ByteBufAllocator alloc, int kind, ByteBuf payload) {
        ByteBuf header = alloc.buffer(HEADER_BYTES).writeByte(kind).writeInt(payload.readableBytes());
        CompositeByteBuf record = alloc.compositeBuffer(2);
        record.addComponents(true, header, payload);
        return record;
    }

    /** Splits a stream's chunks into records; partial records wait for the next chunk. */
    public static final class Decoder implements AutoCloseable {
        private final ByteBufAllocator alloc;
        private CompositeByteBuf pending;

        public Decoder(ByteBufAllocator alloc) {
            this.alloc = alloc;
        }

        /** Takes ownership of {@code chunk}; hands each whole record (the receiver releases its payload) to {@code out}. */
        public void feed(ByteBuf chunk, Consumer<Record> out) {
            if (pending == null) {
                pending = alloc.compositeBuffer(Integer.MAX_VALUE);
            }
            pending.addComponent(true, chunk);
            while (pending.readableBytes() >= HEADER_BYTES) {
                int start = pending.readerIndex();
                int kind = pending.getUnsignedByte(start);
                long length = pending.getUnsignedInt(start + 1);
                if (length > MAX_PAYLOAD) {
                    throw new IllegalArgumentException("record of " + length + " bytes; the limit is " + MAX_PAYLOAD);
                }
                if (pending.readableBytes() < HEADER_BYTES + length) {
                    break;
                }
                pending.skipBytes(HEADER_BYTES);
                // A copy, not a slice: a slice of a composite is a view by index, and discarding the
                // read components below would shift what it sees. Direct, as it goes to send(2).
                ByteBuf payload = alloc.directBuffer((int) Math.max(length, 1));
                pending.readBytes(payload, (int) length);
                out.accept(new Record(kind, payload));
            }
            pending.discardReadComponents();
        }

        @Override
        public void close() {
            if (pending != null) {
                pending.release();
                pending = null;
            }
        }
    }

    private Records() {}
}
