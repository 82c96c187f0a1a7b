package io.dpuoffload.transport.diagnostics;

import io.dpuoffload.transport.Services;
import io.dpuoffload.transport.mux.ByteStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.CompletableFuture;

/**
 * Services for checking and measuring a channel ({@code offloadctl channel demo|bench}, tests): an
 * echo for round trips, a sink that counts what it is sent, a source that sends what it is asked.
 * They do nothing else, so they are safe to offer on any host that enables the DIAGNOSTICS feature.
 */
public final class Diagnostics {
    /** Request: answers with the request's body. */
    public static final int ECHO = 0xFF01;
    /** Stream: reads to the end, then answers with the byte count (8 bytes) and finishes. */
    public static final int SINK = 0xFF02;
    /** Stream: the header is a byte count (8 bytes); sends that many bytes, then finishes. */
    public static final int SOURCE = 0xFF03;

    /** Chunk the source writes; a multiple of the stream's data frame size. */
    private static final int SOURCE_CHUNK_BYTES = 256 * 1024;

    public static Services.Builder register(Services.Builder services) {
        // In place on the event loop, as the services that carry the data plane answer (offload-fs's
        // operations): a round trip then measures the channel, not a hop to a handler thread and back.
        return services.onRequestAsync(ECHO, (context, body) -> CompletableFuture.completedFuture(body.retain()))
                .onStream(SINK, (context, stream, header) -> sink(stream))
                .onStream(SOURCE, (context, stream, header) -> source(stream, header.readLong()));
    }

    public static Services services() {
        return register(Services.builder()).build();
    }

    private static void sink(ByteStream stream) throws Exception {
        long total = 0;
        for (ByteBuf chunk; (chunk = stream.read()) != null; ) {
            total += chunk.readableBytes();
            chunk.release();
        }
        stream.write(Unpooled.buffer(8).writeLong(total)).get();
        stream.finish().get();
    }

    private static void source(ByteStream stream, long bytes) throws Exception {
        ByteBuf pattern = Unpooled.directBuffer(SOURCE_CHUNK_BYTES).writeZero(SOURCE_CHUNK_BYTES);
        try {
            for (long left = bytes; left > 0; ) {
                int length = (int) Math.min(left, SOURCE_CHUNK_BYTES);
                stream.write(pattern.retainedSlice(0, length)).get();
                left -= length;
            }
            stream.finish().get();
        } finally {
            pattern.release();
        }
    }

    private Diagnostics() {}
}
