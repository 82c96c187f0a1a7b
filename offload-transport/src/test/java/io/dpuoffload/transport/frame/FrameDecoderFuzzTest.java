package io.dpuoffload.transport.frame;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dpuoffload.transport.frame.Frame.ErrorResponse;
import io.dpuoffload.transport.frame.Frame.GoAway;
import io.dpuoffload.transport.frame.Frame.Hello;
import io.dpuoffload.transport.frame.Frame.HelloAck;
import io.dpuoffload.transport.frame.Frame.Ping;
import io.dpuoffload.transport.frame.Frame.Pong;
import io.dpuoffload.transport.frame.Frame.Request;
import io.dpuoffload.transport.frame.Frame.Reset;
import io.dpuoffload.transport.frame.Frame.Response;
import io.dpuoffload.transport.frame.Frame.StreamData;
import io.dpuoffload.transport.frame.Frame.StreamOpen;
import io.dpuoffload.transport.frame.Frame.WindowUpdate;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzz tests of {@link FrameDecoder}: whatever bytes a peer sends, split however TCP delivers them,
 * the decoder lets no exception out, reports a protocol error once and closes, delivers nothing from
 * later reads, decodes the same frames however the bytes were split, leaks no buffer, and every frame
 * it delivers re-encodes to the same frame. {@link DecoderRun} holds these checks.
 *
 * <p>A plain {@code mvn test} runs each target once per seed in {@code
 * FrameDecoderFuzzTestInputs/<method>/} (and on the empty input). With {@code JAZZER_FUZZ=1}, as the
 * {@code fuzz} profile sets it, Jazzer fuzzes the one target the run selects; a crash lands in that
 * seed directory, where later plain runs replay it.
 */
class FrameDecoderFuzzTest {

    /** At most this many read sizes per input; they repeat until the bytes run out. */
    private static final int MAX_CHUNK_SIZES = 15;

    /** Reads larger than the inputs the fuzzer makes would only ever be one read. */
    private static final int MAX_CHUNK_BYTES = 256;

    /** A few frames are enough to put a broken one between good ones. */
    private static final int MAX_FRAMES = 4;

    /** Bodies are opaque to the decoder: their size matters only through the length field. */
    private static final int MAX_BODY_BYTES = 256;

    /** Enough characters to cross {@link FrameFormat#MAX_TEXT_BYTES} with multi-byte UTF-8. */
    private static final int MAX_TEXT_CHARS = FrameFormat.MAX_TEXT_BYTES + 16;

    private static final int MAX_MUTATIONS = 3;

    /**
     * Arbitrary bytes, as a peer that is not ours, or a broken one, could send them. The input's last
     * byte says how many read sizes precede it (1 + one byte each, repeating); the rest is the wire.
     * So a seed is the wire followed by 0x00 (one read) or by 0x00 0x01 (one byte per read).
     */
    @FuzzTest
    void arbitraryBytes(FuzzedDataProvider data) {
        int[] chunkSizes = chunkSizes(data);
        DecoderRun run = decodeAndCheck(data.consumeRemainingAsBytes(), chunkSizes);
        run.releaseFrames();
        run.assertNoBufferLeft();
    }

    /**
     * Valid frames of every type built from fuzzer-chosen fields, then with header fields, payload
     * bytes or the end of the stream changed: most inputs get past the header checks this way. Left
     * unchanged, the frames must arrive exactly as sent.
     */
    @FuzzTest
    void validFramesWithMutatedHeaders(FuzzedDataProvider data) {
        TrackingAllocator alloc = new TrackingAllocator();
        List<Frame> expected = new ArrayList<>();
        List<Integer> frameStarts = new ArrayList<>();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int i = data.consumeInt(1, MAX_FRAMES); i > 0; i--) {
            Frame frame = anyFrame(data, alloc);
            expected.add(WireFrames.asReceived(frame));
            frameStarts.add(stream.size());
            stream.writeBytes(WireFrames.encode(frame, alloc));
        }
        byte[] wire = stream.toByteArray();
        int mutations = data.consumeInt(0, MAX_MUTATIONS);
        for (int i = 0; i < mutations; i++) {
            wire = mutate(wire, data.pickValue(frameStarts), data);
        }
        DecoderRun run = decodeAndCheck(wire, chunkSizes(data));
        if (mutations == 0) {
            assertThat(run.errors).as("protocol errors on valid frames").isEmpty();
            DecoderRun.assertSameFrames(run.frames, expected, "frames received, compared with those sent");
        }
        run.releaseFrames();
        run.assertNoBufferLeft();
        assertThat(alloc.live()).as("buffers the encoder left referenced").isEmpty();
    }

    /** The properties that hold for any input; the caller releases the frames. */
    private static DecoderRun decodeAndCheck(byte[] wire, int[] chunkSizes) {
        DecoderRun run = DecoderRun.feed(wire, chunkSizes);
        run.assertProtocolErrorsHandled();
        run.assertFramesSurviveReencoding();
        if (chunkSizes.length > 0) {
            DecoderRun atOnce = DecoderRun.feed(wire, new int[0]);
            run.assertSameOutcomeAs(atOnce);
            atOnce.releaseFrames();
            atOnce.assertNoBufferLeft();
        }
        return run;
    }

    /** The sizes of the reads that deliver the bytes; none means one read with all of them. */
    private static int[] chunkSizes(FuzzedDataProvider data) {
        int[] sizes = new int[data.consumeInt(0, MAX_CHUNK_SIZES)];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = data.consumeInt(1, MAX_CHUNK_BYTES);
        }
        return sizes;
    }

    private static Frame anyFrame(FuzzedDataProvider data, TrackingAllocator alloc) {
        int streamId = data.consumeInt();
        int stream = streamId == 0 ? 1 : streamId;
        return switch (data.pickValue(FrameType.values())) {
            case HELLO ->
                new Hello(
                        data.consumeInt(0, 255),
                        data.consumeInt(0, 255),
                        data.consumeLong(),
                        data.consumeString(MAX_TEXT_CHARS));
            case HELLO_ACK ->
                new HelloAck(data.consumeInt(0, 255), data.consumeLong(), data.consumeString(MAX_TEXT_CHARS));
            case GO_AWAY -> new GoAway(data.pickValue(GoAwayCode.values()), data.consumeString(MAX_TEXT_CHARS));
            case PING -> new Ping(data.consumeLong());
            case PONG -> new Pong(data.consumeLong());
            case REQUEST ->
                new Request(stream, data.consumeInt(0, 0xFFFF), data.consumeLong(0, Long.MAX_VALUE), body(data, alloc));
            case RESPONSE ->
                data.consumeBoolean()
                        ? new ErrorResponse(stream, data.consumeInt(), data.consumeString(MAX_TEXT_CHARS))
                        : new Response(stream, body(data, alloc));
            case RESET -> new Reset(stream, data.pickValue(ResetCode.values()), data.consumeString(MAX_TEXT_CHARS));
            case STREAM_OPEN -> new StreamOpen(stream, data.consumeInt(0, 0xFFFF), body(data, alloc));
            case STREAM_DATA -> new StreamData(stream, body(data, alloc), data.consumeBoolean());
            case WINDOW_UPDATE -> new WindowUpdate(stream, data.consumeInt(1, Integer.MAX_VALUE));
            case NOTICE -> new Frame.Notice(data.consumeInt(0, 0xFFFF), body(data, alloc));
        };
    }

    private static ByteBuf body(FuzzedDataProvider data, TrackingAllocator alloc) {
        byte[] bytes = data.consumeBytes(MAX_BODY_BYTES);
        return alloc.buffer(bytes.length).writeBytes(bytes);
    }

    /** The ways a frame goes wrong on the wire: one header field, one payload byte, or a cut. */
    private enum Mutation {
        MAGIC,
        VERSION,
        TYPE,
        FLAGS,
        STREAM_ID,
        LENGTH,
        PAYLOAD_BYTE,
        CUT
    }

    private static byte[] mutate(byte[] wire, int frameStart, FuzzedDataProvider data) {
        if (frameStart + FrameFormat.HEADER_BYTES > wire.length) {
            return wire; // an earlier cut took this frame's header
        }
        ByteBuffer header = ByteBuffer.wrap(wire);
        switch (data.pickValue(Mutation.values())) {
            case MAGIC -> header.putInt(frameStart, data.consumeInt());
            case VERSION -> header.put(frameStart + 4, data.consumeByte());
            case TYPE -> header.put(frameStart + 5, data.consumeByte());
            case FLAGS -> header.putShort(frameStart + 6, data.consumeShort());
            case STREAM_ID -> header.putInt(frameStart + 8, data.consumeInt());
            case LENGTH -> {
                int length = header.getInt(frameStart + 12);
                header.putInt(
                        frameStart + 12, data.consumeBoolean() ? length + data.consumeInt(-16, 16) : data.consumeInt());
            }
            case PAYLOAD_BYTE -> {
                if (wire.length > frameStart + FrameFormat.HEADER_BYTES) {
                    header.put(
                            data.consumeInt(frameStart + FrameFormat.HEADER_BYTES, wire.length - 1),
                            data.consumeByte());
                }
            }
            case CUT -> {
                return Arrays.copyOf(wire, data.consumeInt(frameStart, wire.length));
            }
        }
        return wire;
    }
}
