package io.dpuoffload.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Traffic through an echo: a writer sends a byte pattern in which no chunk repeats (so a byte lost,
 * duplicated or reordered shows), then half-closes; a reader checks every byte that comes back and
 * the end of file after the last one.
 */
final class Pattern {
    private static final int CHUNK = 64 * 1024;

    /** A thread each: the common pool may have a single one on a small machine, and these block. */
    static final java.util.concurrent.Executor THREADS =
            task -> Thread.ofPlatform().daemon().start(task);

    private final SocketChannel socket;
    private final long total;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong read = new AtomicLong();
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile String mismatch;
    private CompletableFuture<Void> writer;
    private CompletableFuture<Void> reader;

    private Pattern(SocketChannel socket, long total) {
        this.socket = socket;
        this.total = total;
    }

    static byte at(long i) {
        return (byte) (i ^ (i >>> 8) ^ (i >>> 16) ^ (i >>> 24));
    }

    /** Writes {@code total} bytes, {@code pause} after each chunk. */
    static Pattern start(SocketChannel socket, long total, Duration pause) {
        return start(socket, total, pause, total);
    }

    /** The same, stopping after {@code holdAfter} bytes until {@link #release}. */
    static Pattern start(SocketChannel socket, long total, Duration pause, long holdAfter) {
        Pattern pattern = new Pattern(socket, total);
        if (holdAfter >= total) {
            pattern.released.countDown();
        }
        pattern.reader = CompletableFuture.runAsync(pattern::readAll, THREADS);
        pattern.writer = CompletableFuture.runAsync(() -> pattern.writeAll(pause, holdAfter), THREADS);
        return pattern;
    }

    private void writeAll(Duration pause, long holdAfter) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
        try {
            while (written.get() < total) {
                long at = written.get();
                if (at == holdAfter) {
                    released.await();
                }
                long end = Math.min(total, at < holdAfter ? Math.min(holdAfter, at + CHUNK) : at + CHUNK);
                buffer.clear().limit((int) (end - at));
                for (int i = 0; i < buffer.limit(); i++) {
                    buffer.put(i, at(at + i));
                }
                while (buffer.hasRemaining()) {
                    written.addAndGet(socket.write(buffer));
                }
                if (!pause.isZero()) {
                    Thread.sleep(pause);
                }
            }
            socket.shutdownOutput();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void readAll() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
        try {
            for (int n; (n = socket.read(buffer.clear())) >= 0; ) {
                long at = read.get();
                for (int i = 0; i < n && mismatch == null; i++) {
                    if (buffer.get(i) != at(at + i)) {
                        mismatch = "byte " + (at + i) + " is " + buffer.get(i) + ", not " + at(at + i);
                    }
                }
                read.addAndGet(n);
            }
        } catch (IOException e) {
            mismatch = "reading failed after " + read.get() + " bytes: " + e;
        }
    }

    void awaitWritten(long bytes) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> written.get() >= bytes);
    }

    long read() {
        return read.get();
    }

    void release() {
        released.countDown();
    }

    /** Everything written came back exactly once, in order, and end of file only after it. */
    void assertArrivedWhole() throws Exception {
        writer.get(90, TimeUnit.SECONDS);
        reader.get(90, TimeUnit.SECONDS);
        assertThat(mismatch).as("every byte as written").isNull();
        assertThat(read.get()).as("bytes back before end of file").isEqualTo(total);
    }
}
