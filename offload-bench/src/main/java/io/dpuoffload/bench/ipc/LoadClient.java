package io.dpuoffload.bench.ipc;

import io.dpuoffload.cli.channel.Deadline;
import io.dpuoffload.cli.channel.Latencies;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The DPU-side client: a stream to the sink, and 1-byte round trips to the echo, through whichever socket it is given.
 * Blocking java.nio on the calling (platform) thread. Connection set-up is never timed: each measurement starts after
 * the server's {@link SinkServer#READY} byte arrived, that is once the bridge has connected all the way through.
 */
final class LoadClient {

    /** One measurement at the largest sizes through the slowest bridge takes well under a minute; five is stuck. */
    static final Duration PER_MEASUREMENT = Duration.ofMinutes(5);

    private final ByteBuffer chunk;

    LoadClient() {
        chunk = ByteBuffer.allocateDirect(SinkServer.BUFFER_BYTES);
        for (int i = 0; i < chunk.capacity(); i++) {
            chunk.put(i, (byte) (i * 31));
        }
    }

    /** Sends {@code bytes} to the sink, half-closes, waits for its count; MB/s (10^6 bytes) from first byte to count. */
    double stream(Path socket, long bytes) throws IOException {
        Deadline deadline = Deadline.in("the stream through " + socket.getFileName(), PER_MEASUREMENT);
        try (SocketChannel channel = open(socket, SinkServer.STREAM);
                Deadline.Watch watch = deadline.onExpiry(() -> closeQuietly(channel))) {
            long start = System.nanoTime();
            long left = bytes;
            while (left > 0) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), left));
                left -= chunk.remaining();
                SinkServer.writeFully(channel, chunk);
                deadline.check();
            }
            channel.shutdownOutput();
            ByteBuffer count = readFully(channel, ByteBuffer.allocate(Long.BYTES));
            long elapsed = System.nanoTime() - start;
            if (count.getLong(0) != bytes) {
                throw new IllegalStateException(
                        "the sink behind " + socket + " received " + count.getLong(0) + " bytes of " + bytes);
            }
            return bytes / 1e6 / (elapsed / 1e9);
        }
    }

    /** {@code warmUp} untimed, then {@code count} timed 1-byte round trips on one connection; each answer checked. */
    Latencies pingPong(Path socket, int warmUp, int count) throws IOException {
        Deadline deadline = Deadline.in("the round trips through " + socket.getFileName(), PER_MEASUREMENT);
        long[] samples = new long[count];
        ByteBuffer out = ByteBuffer.allocateDirect(1);
        ByteBuffer in = ByteBuffer.allocateDirect(1);
        try (SocketChannel channel = open(socket, SinkServer.ECHO);
                Deadline.Watch watch = deadline.onExpiry(() -> closeQuietly(channel))) {
            for (int i = 0; i < warmUp + count; i++) {
                byte value = (byte) i;
                out.clear();
                out.put(0, value);
                in.clear();
                long start = System.nanoTime();
                SinkServer.writeFully(channel, out);
                readFully(channel, in);
                long elapsed = System.nanoTime() - start;
                if (in.get(0) != value) {
                    throw new IllegalStateException("round trip " + i + " through " + socket + " came back as "
                            + in.get(0) + " instead of " + value);
                }
                if (i >= warmUp) {
                    samples[i - warmUp] = elapsed;
                }
                if ((i & 1023) == 0) {
                    deadline.check();
                }
            }
            channel.shutdownOutput();
        }
        return Latencies.of(samples);
    }

    /** Connects, waits for the server's ready byte (the bridge is through), sends the mode. */
    private static SocketChannel open(Path socket, byte mode) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer ready = readFully(channel, ByteBuffer.allocate(1));
            if (ready.get(0) != SinkServer.READY) {
                throw new IllegalStateException("the server behind " + socket + " did not say ready");
            }
            SinkServer.writeFully(channel, ByteBuffer.wrap(new byte[] {mode}));
            return channel;
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static ByteBuffer readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("the connection ended early (" + buffer.position() + " of " + buffer.limit()
                        + " bytes of the answer)");
            }
        }
        return buffer;
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closed either way
        }
    }
}
