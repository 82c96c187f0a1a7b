package io.dpuoffload.ipc.relay;

import io.dpuoffload.ipc.wire.Records;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.Consumer;

/**
 * A stream's records, one by one, for a link. It may be closed from inside a record's handling
 * (the relay ends): the records still in the chunk are then released, and the decoder only after
 * it has returned.
 */
final class RecordFeed implements AutoCloseable {
    private final Records.Decoder decoder;
    private boolean feeding;
    private boolean closed;

    RecordFeed(ByteBufAllocator alloc) {
        decoder = new Records.Decoder(alloc);
    }

    /** Takes ownership of {@code chunk}; returns why the peer's records are broken, or null. */
    String feed(ByteBuf chunk, Consumer<Records.Record> out) {
        if (closed) {
            chunk.release();
            return null;
        }
        feeding = true;
        try {
            decoder.feed(chunk, record -> {
                if (closed) {
                    record.payload().release();
                } else {
                    out.accept(record);
                }
            });
            return null;
        } catch (IllegalArgumentException e) {
            return "the peer sent a broken record: " + e.getMessage();
        } finally {
            feeding = false;
            if (closed) {
                decoder.close();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        if (!feeding) {
            decoder.close();
        }
    }
}
