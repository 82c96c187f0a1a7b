package io.dpuoffload.transport;

import static io.dpuoffload.transport.Harness.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dpuoffload.transport.diagnostics.Diagnostics;
import io.dpuoffload.transport.frame.FrameFormat;
import io.dpuoffload.transport.frame.ResetCode;
import io.dpuoffload.transport.mux.ByteStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Requests and byte streams multiplexed over one connection, over TCP+mTLS and a Unix socket. */
class StreamsTest {

    @ParameterizedTest
    @EnumSource(Harness.Kind.class)
    void aThousandConcurrentStreamsAndRequestsShareOneConnection(Harness.Kind kind) throws Exception {
        try (Harness harness = new Harness(kind)) {
            OffloadConnection connection =
                    harness.connect(harness.startHost(), harness.dpuConfig().build());
            int streams = 1000;
            int bytesPerStream = 16 * 1024;
            try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Long>> counts = new ArrayList<>();
                List<CompletableFuture<ByteBuf>> echoes = new ArrayList<>();
                for (int i = 0; i < streams; i++) {
                    counts.add(threads.submit(() -> sendToSink(connection, bytesPerStream)));
                    echoes.add(connection.request(Diagnostics.ECHO, text("echo " + i)));
                }
                for (int i = 0; i < streams; i++) {
                    assertThat(counts.get(i).get()).isEqualTo(bytesPerStream);
                    assertThat(text(echoes.get(i).get())).isEqualTo("echo " + i);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Harness.Kind.class)
    void aSlowReaderHoldsTheWriterToOneWindow(Harness.Kind kind) throws Exception {
        AtomicLong consumed = new AtomicLong();
        CompletableFuture<Long> readerDone = new CompletableFuture<>();
        try (Harness harness = new Harness(kind)) {
            int slowReader = 10;
            var services = io.dpuoffload.transport.Services.builder()
                    .onStream(slowReader, (context, stream, header) -> {
                        for (ByteBuf chunk; (chunk = stream.read()) != null; ) {
                            consumed.addAndGet(chunk.readableBytes());
                            Thread.sleep(1);
                            chunk.release();
                        }
                        readerDone.complete(consumed.get());
                    })
                    .build();
            OffloadServer server =
                    harness.startHost(harness.hostConfig().services(services).build(), harness.listenEndpoint());
            OffloadConnection connection =
                    harness.connect(server, harness.dpuConfig().build());

            ByteStream stream = connection.openStream(slowReader, Unpooled.EMPTY_BUFFER);
            long total = 64L * 1024 * 1024;
            int chunk = 64 * 1024;
            long written = 0;
            long worstAhead = 0;
            while (written < total) {
                stream.write(Unpooled.wrappedBuffer(new byte[chunk])).get();
                written += chunk;
                worstAhead = Math.max(worstAhead, written - consumed.get());
            }
            stream.finish().get();

            assertThat(readerDone.get()).isEqualTo(total);
            // The reader acknowledges a chunk inside read(), a moment before this test's counter sees
            // it, so the measurement may lag by one chunk; anything beyond that would be buffering.
            assertThat(worstAhead)
                    .as("bytes sent but not yet read by the slow reader")
                    .isLessThanOrEqualTo(
                            TransportConfig.DEFAULT_STREAM_WINDOW_BYTES + FrameFormat.MAX_DATA_CHUNK_BYTES);
        }
    }

    @ParameterizedTest
    @EnumSource(Harness.Kind.class)
    void sourceStreamsDeliverEveryByteThenEnd(Harness.Kind kind) throws Exception {
        try (Harness harness = new Harness(kind)) {
            OffloadConnection connection =
                    harness.connect(harness.startHost(), harness.dpuConfig().build());
            long size = 32L * 1024 * 1024 + 7;
            ByteStream stream =
                    connection.openStream(Diagnostics.SOURCE, Unpooled.buffer(8).writeLong(size));
            long received = 0;
            for (ByteBuf chunk; (chunk = stream.read()) != null; ) {
                received += chunk.readableBytes();
                chunk.release();
            }
            assertThat(received).isEqualTo(size);
        }
    }

    @ParameterizedTest
    @EnumSource(Harness.Kind.class)
    void aRequestPastItsDeadlineFailsAndTheHandlerSeesItCancelled(Harness.Kind kind) throws Exception {
        try (Harness harness = new Harness(kind)) {
            OffloadConnection connection =
                    harness.connect(harness.startHost(), harness.dpuConfig().build());
            long start = System.nanoTime();

            var answer = connection.request(Harness.HANG, text("wait"), Duration.ofMillis(300));

            assertThatThrownBy(answer::get)
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(DeadlineExceededException.class)
                    .hasMessageContaining("within 300 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            await().until(() ->
                    !harness.hanging.isEmpty() && harness.hanging.getFirst().isCancelled());
        }
    }

    @ParameterizedTest
    @EnumSource(Harness.Kind.class)
    void cancellingARequestReachesTheHandler(Harness.Kind kind) throws Exception {
        try (Harness harness = new Harness(kind)) {
            OffloadConnection connection =
                    harness.connect(harness.startHost(), harness.dpuConfig().build());
            var answer = connection.request(Harness.HANG, text("wait"), Duration.ofSeconds(30));
            await().until(() -> !harness.hanging.isEmpty());

            answer.cancel(true);

            await().atMost(Duration.ofSeconds(2))
                    .until(() -> harness.hanging.getFirst().isCancelled());
        }
    }

    @ParameterizedTest
    @EnumSource(Harness.Kind.class)
    void handlerErrorsAndMissingServicesAreTypedErrors(Harness.Kind kind) throws Exception {
        try (Harness harness = new Harness(kind)) {
            OffloadConnection connection =
                    harness.connect(harness.startHost(), harness.dpuConfig().build());

            assertThatThrownBy(() -> connection.request(Harness.FAIL, text("x")).get())
                    .cause()
                    .isInstanceOfSatisfying(
                            RemoteException.class, e -> assertThat(e.code()).isEqualTo(-2))
                    .hasMessage("No such file or directory");
            assertThatThrownBy(() -> connection.request(4242, text("x")).get())
                    .cause()
                    .isInstanceOfSatisfying(StreamResetException.class, e -> assertThat(e.code())
                            .isEqualTo(ResetCode.NO_HANDLER))
                    .hasMessageContaining("no handler for service 4242");
        }
    }

    @ParameterizedTest
    @EnumSource(Harness.Kind.class)
    void aPeerOverItsStreamLimitIsRefusedNotQueued(Harness.Kind kind) throws Exception {
        try (Harness harness = new Harness(kind)) {
            OffloadServer server = harness.startHost(
                    harness.hostConfig().maxConcurrentStreams(2).build(), harness.listenEndpoint());
            OffloadConnection connection =
                    harness.connect(server, harness.dpuConfig().build());
            var first = connection.request(Harness.HANG, text("1"));
            var second = connection.request(Harness.HANG, text("2"));
            await().until(() -> harness.hanging.size() == 2);

            assertThatThrownBy(() -> connection.request(Harness.HANG, text("3")).get())
                    .cause()
                    .isInstanceOfSatisfying(StreamResetException.class, e -> assertThat(e.code())
                            .isEqualTo(ResetCode.REFUSED));
            harness.hangRelease.countDown();
            assertThat(text(first.get())).isEqualTo("done");
            assertThat(text(second.get())).isEqualTo("done");
        }
    }

    private static long sendToSink(OffloadConnection connection, int bytes) throws Exception {
        ByteStream stream = connection.openStream(Diagnostics.SINK, Unpooled.EMPTY_BUFFER);
        stream.write(Unpooled.wrappedBuffer(new byte[bytes])).get();
        stream.finish().get();
        ByteBuf count = stream.read();
        try {
            return count.readLong();
        } finally {
            count.release();
            assertThat(stream.read()).isNull();
        }
    }
}
