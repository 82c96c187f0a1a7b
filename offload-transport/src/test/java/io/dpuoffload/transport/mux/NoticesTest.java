package io.dpuoffload.transport.mux;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.transport.ConnectionLostException;
import io.dpuoffload.transport.Feature;
import io.dpuoffload.transport.Services;
import io.dpuoffload.transport.frame.Frame;
import io.dpuoffload.transport.frame.Frame.Notice;
import io.dpuoffload.transport.frame.Frame.Request;
import io.dpuoffload.transport.frame.Frame.Response;
import io.dpuoffload.transport.frame.FrameDecoder;
import io.dpuoffload.transport.frame.FrameEncoder;
import io.dpuoffload.transport.metrics.TransportMetrics;
import io.dpuoffload.transport.tls.PeerIdentity;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * NOTICE frames as the multiplexer sends and serves them, on an embedded channel whose clock the
 * test moves: when a notice goes out, in what order, to which peers, and what a lost link does.
 */
class NoticesTest {
    private static final int SERVICE = 7;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<String> served = new ArrayList<>();

    private EmbeddedChannel connection(long peerFeatures) {
        Services services = Services.builder()
                .onRequest(SERVICE, (context, body) -> {
                    served.add(body.toString(UTF_8));
                    return Unpooled.copiedBuffer("answer nobody reads", UTF_8);
                })
                .build();
        Multiplexer mux = new Multiplexer(new MuxSettings(
                true,
                PeerIdentity.node("host-1", Optional.empty()),
                1,
                peerFeatures,
                services,
                Runnable::run,
                16,
                64 * 1024,
                new TransportMetrics(meters, "client", "dpu-1")));
        // The encoder, as on a real connection: a frame not yet flushed is bytes the channel frees when it closes.
        EmbeddedChannel channel = new EmbeddedChannel(new FrameEncoder(), mux);
        channel.freezeTime();
        return channel;
    }

    private static Multiplexer mux(EmbeddedChannel channel) {
        return channel.pipeline().get(Multiplexer.class);
    }

    private static long withNotices() {
        return Feature.toMask(Set.of(Feature.NOTICES));
    }

    @Test
    void aNoticeGoesOutWithTheNextRequestAndBeforeIt() {
        EmbeddedChannel channel = connection(withNotices());
        CompletableFuture<Void> sent = mux(channel).notice(SERVICE, text("forget 5"), TIMEOUT);
        channel.runPendingTasks();
        assertThat((Object) channel.readOutbound())
                .as("written, not yet flushed")
                .isNull();
        assertThat(sent).isNotDone();

        mux(channel).request(SERVICE, text("lookup a"), TIMEOUT);
        channel.runPendingTasks();

        assertThat(sent(channel)).containsExactly("Notice 7 forget 5", "Request 7 lookup a");
        assertThat(sent).isCompleted();
        // The request's flush took the notice's timer back: nothing wakes the loop at the bound.
        long nextTimer = channel.runScheduledPendingTasks(); // its delay, -1 for none
        assertThat(nextTimer < 0 || nextTimer > Multiplexer.NOTICE_BOUND.toNanos())
                .as("no timer within the bound (next in %d ns)", nextTimer)
                .isTrue();
        assertThat(meters.get("dpuoffload.transport.notices")
                        .tag("direction", "out")
                        .counter()
                        .count())
                .isEqualTo(1);
        channel.finishAndReleaseAll();
    }

    @Test
    void aNoticeAloneGoesOutWithinTheBound() {
        EmbeddedChannel channel = connection(withNotices());
        CompletableFuture<Void> sent = mux(channel).notice(SERVICE, text("release 9"), TIMEOUT);
        channel.runPendingTasks();
        channel.advanceTimeBy(Multiplexer.NOTICE_BOUND.toNanos() / 2, TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
        assertThat(sent(channel)).isEmpty();

        channel.advanceTimeBy(Multiplexer.NOTICE_BOUND.toNanos() / 2, TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();

        assertThat(sent(channel)).containsExactly("Notice 7 release 9");
        assertThat(sent).isCompleted();
        channel.finishAndReleaseAll();
    }

    @Test
    void aPeerWithoutTheFeatureGetsARequestWhoseAnswerIsDropped() {
        EmbeddedChannel channel = connection(0);
        CompletableFuture<Void> sent = mux(channel).notice(SERVICE, text("forget 5"), TIMEOUT);
        channel.runPendingTasks();

        assertThat(sent(channel)).containsExactly("Request 7 forget 5");
        assertThat(sent).isNotDone();
        ByteBuf answer = text("ok");
        channel.writeInbound(new Response(1, answer)); // the first id of the connecting side

        assertThat(sent).isCompleted();
        assertThat(answer.refCnt()).as("the answer, released").isZero();
        channel.finishAndReleaseAll();
    }

    @Test
    void aNoticeFromThePeerRunsTheHandlerAndNothingGoesBack() {
        EmbeddedChannel channel = connection(withNotices());
        ByteBuf body = text("forget 5");
        channel.writeInbound(new Notice(SERVICE, body));
        channel.runPendingTasks();
        channel.flush();

        assertThat(served).containsExactly("forget 5");
        assertThat(sent(channel)).as("no answer").isEmpty();
        assertThat(body.refCnt()).isZero();
        assertThat(meters.get("dpuoffload.transport.notices")
                        .tag("direction", "in")
                        .counter()
                        .count())
                .isEqualTo(1);
        channel.finishAndReleaseAll();
    }

    @Test
    void aNoticeNotYetOutWhenTheLinkIsLostFailsAndOneAfterFailsAtOnce() {
        EmbeddedChannel channel = connection(withNotices());
        Multiplexer mux = mux(channel); // the pipeline lets go of it once closed
        ByteBuf first = text("release 9");
        CompletableFuture<Void> pending = mux.notice(SERVICE, first, TIMEOUT);
        channel.runPendingTasks();

        channel.close();
        channel.runPendingTasks();
        ByteBuf second = text("forget 5");
        CompletableFuture<Void> late = mux.notice(SERVICE, second, TIMEOUT);
        channel.runPendingTasks();

        assertThat(pending)
                .failsWithin(Duration.ZERO)
                .withThrowableThat()
                .withCauseInstanceOf(ConnectionLostException.class);
        assertThat(late)
                .failsWithin(Duration.ZERO)
                .withThrowableThat()
                .withCauseInstanceOf(ConnectionLostException.class);
        assertThat(first.refCnt()).isZero();
        assertThat(second.refCnt()).isZero();
    }

    private static ByteBuf text(String value) {
        return Unpooled.copiedBuffer(value, UTF_8);
    }

    /** The frames written and flushed since the last call, decoded as the peer would. */
    private static List<String> sent(EmbeddedChannel channel) {
        EmbeddedChannel peer = new EmbeddedChannel(new FrameDecoder((ctx, reason) -> {
            throw new AssertionError(reason);
        }));
        for (ByteBuf bytes; (bytes = channel.readOutbound()) != null; ) {
            peer.writeInbound(bytes);
        }
        List<String> frames = new ArrayList<>();
        for (Frame frame; (frame = peer.readInbound()) != null; ) {
            frames.add(describe(frame));
        }
        peer.finishAndReleaseAll();
        return frames;
    }

    private static String describe(Frame frame) {
        String text =
                switch (frame) {
                    case Notice n -> "Notice " + n.service() + " " + n.body().toString(UTF_8);
                    case Request r -> "Request " + r.service() + " " + r.body().toString(UTF_8);
                    default -> frame.toString();
                };
        frame.release();
        return text;
    }
}
