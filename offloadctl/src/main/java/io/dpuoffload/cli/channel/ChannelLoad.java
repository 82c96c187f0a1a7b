package io.dpuoffload.cli.channel;

import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.diagnostics.Diagnostics;
import io.dpuoffload.transport.mux.ByteStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Load on the channel, through the host's DIAGNOSTICS services: ECHO round trips and streams to SINK. */
public final class ChannelLoad {

    /** One write: four data frames of the largest size, one stream window; big enough that per-write cost vanishes. */
    static final int CHUNK_BYTES = 256 * 1024;

    /** Writes queued behind the one being awaited, so the stream always has data when the peer opens its window. */
    static final int WRITES_AHEAD = 2;

    private ChannelLoad() {}

    /** {@code count} round trips of {@code size} bytes, one after another; each answer is checked against its request. */
    public static long[] echo(OffloadConnection connection, int count, int size, Deadline deadline)
            throws InterruptedException {
        long[] nanos = new long[count];
        byte[] payload = new byte[size];
        for (int i = 0; i < count; i++) {
            deadline.check();
            fill(payload, i);
            long start = System.nanoTime();
            ByteBuf answer = deadline.await(connection.request(Diagnostics.ECHO, Unpooled.copiedBuffer(payload)));
            nanos[i] = System.nanoTime() - start;
            try {
                if (!Arrays.equals(ByteBufUtil.getBytes(answer), payload)) {
                    throw new IllegalStateException("ECHO answered round trip " + i + " with " + answer.readableBytes()
                            + " bytes that differ from the " + size + " sent");
                }
            } finally {
                answer.release();
            }
        }
        return nanos;
    }

    /**
     * Sends {@code bytes} on one new stream to SINK and waits for its count, which must match. The time runs from
     * opening the stream to receiving the count.
     */
    public static Throughput toSink(OffloadConnection connection, long bytes, Deadline deadline)
            throws InterruptedException {
        ByteBuf chunk = Unpooled.directBuffer(CHUNK_BYTES).writeZero(CHUNK_BYTES);
        try {
            return toSink(connection, bytes, chunk, deadline);
        } finally {
            chunk.release();
        }
    }

    private static Throughput toSink(OffloadConnection connection, long bytes, ByteBuf chunk, Deadline deadline)
            throws InterruptedException {
        long start = System.nanoTime();
        ByteStream stream = connection.openStream(Diagnostics.SINK, Unpooled.EMPTY_BUFFER);
        try (var watch = deadline.onExpiry(() -> stream.cancel(deadline.phase() + " ran out of time"))) {
            ArrayDeque<CompletableFuture<Void>> written = new ArrayDeque<>();
            for (long left = bytes; left > 0; ) {
                deadline.check();
                int length = (int) Math.min(left, CHUNK_BYTES);
                written.add(stream.write(chunk.retainedSlice(0, length)));
                left -= length;
                if (written.size() > WRITES_AHEAD) {
                    deadline.await(written.poll());
                }
            }
            for (CompletableFuture<Void> write : written) {
                deadline.await(write);
            }
            deadline.await(stream.finish());
            long counted = readCount(stream);
            long nanos = System.nanoTime() - start;
            if (counted != bytes) {
                throw new IllegalStateException("SINK counted " + counted + " bytes, but " + bytes + " were sent");
            }
            return new Throughput(bytes, nanos);
        } finally {
            stream.close();
        }
    }

    /** {@code bytes} split over {@code streams} streams on the same connection, all at once. */
    public static Throughput toSinkInParallel(OffloadConnection connection, long bytes, int streams, Deadline deadline)
            throws InterruptedException {
        long start = System.nanoTime();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Throughput>> results = new ArrayList<>();
            for (long share : shares(bytes, streams)) {
                results.add(threads.submit(() -> toSink(connection, share, deadline)));
            }
            for (Future<Throughput> result : results) {
                join(result);
            }
        }
        return new Throughput(bytes, System.nanoTime() - start);
    }

    /** {@code total} in {@code parts} nearly equal shares, the remainder on the first. */
    static long[] shares(long total, int parts) {
        long[] shares = new long[parts];
        Arrays.fill(shares, total / parts);
        shares[0] += total % parts;
        return shares;
    }

    /** The value of a finished task, with its own exception rethrown as it was. */
    static <T> T join(Future<T> task) throws InterruptedException {
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        }
    }

    /** Fills a round trip's payload with bytes that differ from the previous one's, so a stale answer shows. */
    static void fill(byte[] payload, int round) {
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (round + i);
        }
    }

    private static long readCount(ByteStream stream) throws InterruptedException {
        ByteBuf count = stream.read();
        if (count == null) {
            throw new IllegalStateException("SINK ended its stream without sending the byte count");
        }
        try {
            if (count.readableBytes() != Long.BYTES) {
                throw new IllegalStateException(
                        "SINK answered " + count.readableBytes() + " bytes instead of an 8-byte count");
            }
            return count.readLong();
        } finally {
            count.release();
        }
    }
}
