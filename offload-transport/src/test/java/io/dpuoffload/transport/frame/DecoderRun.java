package io.dpuoffload.transport.frame;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * One connection's bytes through a {@link FrameDecoder}, in the reads TCP might split them into,
 * then the peer hanging up; and the checks of what came out, for the fuzz tests.
 *
 * <p>The decoder's close request is recorded but held back until the bytes run out: a socket can
 * have read more before it closes, and the decoder must ignore those bytes too.
 */
final class DecoderRun {

    private final TrackingAllocator alloc = new TrackingAllocator();
    private final EmbeddedChannel channel = new EmbeddedChannel();
    final List<String> errors = new ArrayList<>();
    final List<Frame> frames = new ArrayList<>();
    private final List<Object> strays = new ArrayList<>();
    private boolean readAfterError;
    private int framesAfterError;
    private int errorsOnOtherChannels;
    private boolean reading = true;
    private int closesWhileReading;
    private int errorsWhileReading;

    static DecoderRun feed(byte[] wire, int[] chunkSizes) {
        DecoderRun run = new DecoderRun();
        run.feedAndHangUp(wire, chunkSizes);
        return run;
    }

    private void feedAndHangUp(byte[] wire, int[] chunkSizes) {
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(new CloseRecorder(), new FrameDecoder(this::protocolError), new Recorder());
        try {
            for (int offset = 0, read = 0; offset < wire.length; read++) {
                int size = chunkSizes.length == 0 ? wire.length : chunkSizes[read % chunkSizes.length];
                size = Math.min(size, wire.length - offset);
                readAfterError = !errors.isEmpty();
                channel.writeInbound(alloc.buffer(size).writeBytes(wire, offset, size));
                offset += size;
            }
            errorsWhileReading = errors.size();
            readAfterError = !errors.isEmpty();
            reading = false;
            channel.finish();
            channel.checkException();
        } catch (Throwable escaped) {
            throw new AssertionError("an exception escaped the decoder's pipeline: " + escaped, escaped);
        }
    }

    /**
     * One reason, once, with the connection closed, and no frame from a later read. (Frames that
     * came before the bad one in the same read are delivered just after the report.)
     */
    void assertProtocolErrorsHandled() {
        assertThat(errors).as("protocol errors reported for one connection").hasSizeLessThanOrEqualTo(1);
        assertThat(errors).as("protocol error reasons").allSatisfy(reason -> assertThat(reason)
                .isNotBlank());
        assertThat(errorsOnOtherChannels)
                .as("errors reported with another channel's context")
                .isZero();
        assertThat(closesWhileReading)
                .as("close requests by the decoder, with %s reported", errors)
                .isEqualTo(errorsWhileReading);
        assertThat(framesAfterError)
                .as("frames delivered from reads after the protocol error")
                .isZero();
        assertThat(strays).as("messages other than frames let through").isEmpty();
    }

    /** TCP may split the bytes anywhere: the frames and the error must not depend on where. */
    void assertSameOutcomeAs(DecoderRun other) {
        assertThat(errors)
                .as("protocol errors, compared with the bytes read at once")
                .isEqualTo(other.errors);
        assertSameFrames(frames, other.frames, "frames, compared with the bytes read at once");
    }

    /** Equal frames (bodies by content), shown with hex bodies and escaped text when they differ. */
    static void assertSameFrames(List<Frame> actual, List<Frame> expected, String what) {
        assertThat(describe(actual)).as(what).containsExactlyElementsOf(describe(expected));
        assertThat(actual).as(what).isEqualTo(expected);
    }

    private static List<String> describe(List<Frame> frames) {
        return frames.stream().map(WireFrames::describe).toList();
    }

    /**
     * Each frame, encoded again, decodes to an equal frame (bodies compared by content).
     */
    void assertFramesSurviveReencoding() {
        for (Frame frame : frames) {
            Frame expected = frame;
            DecoderRun again = feed(WireFrames.encode(WireFrames.retainedCopy(frame), alloc), new int[0]);
            assertThat(again.errors)
                    .as("protocol errors on the re-encoded %s", WireFrames.describe(frame))
                    .isEmpty();
            assertSameFrames(again.frames, List.of(expected), "a delivered frame, re-encoded and decoded");
            again.releaseFrames();
            again.assertNoBufferLeft();
        }
    }

    void releaseFrames() {
        frames.forEach(Frame::release);
    }

    void assertNoBufferLeft() {
        assertThat(alloc.live())
                .as("buffers still referenced after every frame was released")
                .isEmpty();
    }

    private void protocolError(ChannelHandlerContext ctx, String reason) {
        errors.add(reason);
        if (ctx.channel() != channel) {
            errorsOnOtherChannels++;
        }
    }

    /** After the decoder: keeps what it delivers. */
    private final class Recorder extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Frame frame) {
                frames.add(frame);
                if (readAfterError) {
                    framesAfterError++;
                }
            } else {
                strays.add(msg.toString());
                ReferenceCountUtil.release(msg);
            }
        }
    }

    /** Before the decoder: counts its close requests and holds them back while bytes still arrive. */
    private final class CloseRecorder extends ChannelOutboundHandlerAdapter {
        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
            if (reading) {
                closesWhileReading++;
                promise.setSuccess();
            } else {
                super.close(ctx, promise);
            }
        }
    }
}
