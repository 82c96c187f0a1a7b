package io.dpuoffload.transport.frame;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.transport.frame.Frame.ErrorResponse;
import io.dpuoffload.transport.frame.Frame.GoAway;
import io.dpuoffload.transport.frame.Frame.Hello;
import io.dpuoffload.transport.frame.Frame.HelloAck;
import io.dpuoffload.transport.frame.Frame.Notice;
import io.dpuoffload.transport.frame.Frame.Ping;
import io.dpuoffload.transport.frame.Frame.Pong;
import io.dpuoffload.transport.frame.Frame.Request;
import io.dpuoffload.transport.frame.Frame.Reset;
import io.dpuoffload.transport.frame.Frame.Response;
import io.dpuoffload.transport.frame.Frame.StreamData;
import io.dpuoffload.transport.frame.Frame.StreamOpen;
import io.dpuoffload.transport.frame.Frame.WindowUpdate;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FrameCodecTest {

    private final List<String> protocolErrors = new ArrayList<>();

    private EmbeddedChannel decoderChannel() {
        return new EmbeddedChannel(new FrameDecoder((ctx, reason) -> protocolErrors.add(reason)));
    }

    static Stream<Frame> everyFrameType() {
        return Stream.of(
                new Hello(1, 3, 0b1011L, "dpu-offload test"),
                new HelloAck(2, 0b11L, "dpu-offload test"),
                new GoAway(GoAwayCode.VERSION_MISMATCH, "upgrade the older side"),
                new Ping(123456789L),
                new Pong(-5L),
                new Request(7, 42, 30_000, text("request body")),
                new Response(7, text("answer")),
                new Notice(42, text("notice body")),
                new Notice(7, Unpooled.EMPTY_BUFFER),
                new ErrorResponse(9, -2, "No such file or directory"),
                new Reset(11, ResetCode.DEADLINE_EXCEEDED, "deadline passed"),
                new StreamOpen(13, 3, text("open header")),
                new StreamData(13, text("some bytes"), false),
                new StreamData(13, Unpooled.EMPTY_BUFFER, true),
                new WindowUpdate(13, 65536));
    }

    @ParameterizedTest
    @MethodSource("everyFrameType")
    void everyFrameTypeSurvivesTheRoundTrip(Frame frame) {
        String expected = describe(frame);
        Frame decoded = roundTrip(frame);
        assertThat(describe(decoded)).isEqualTo(expected);
        assertThat(decoded.type()).isEqualTo(frame.type());
        decoded.release();
        assertThat(protocolErrors).isEmpty();
    }

    @Test
    void decoderWaitsForWholeFramesFedByteByByte() {
        ByteBuf wire = encode(new Request(1, 5, 1000, text("x".repeat(300))));
        EmbeddedChannel channel = decoderChannel();
        while (wire.isReadable()) {
            assertThat((Object) channel.readInbound()).isNull();
            channel.writeInbound(wire.readRetainedSlice(1));
        }
        wire.release();
        Request decoded = channel.readInbound();
        assertThat(decoded.body().toString(UTF_8)).isEqualTo("x".repeat(300));
        decoded.release();
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void severalFramesInOneReadAllArrive() {
        ByteBuf wire = Unpooled.wrappedBuffer(encode(new Ping(1)), encode(new Ping(2)), encode(new Pong(3)));
        EmbeddedChannel channel = decoderChannel();
        channel.writeInbound(wire);
        assertThat(List.of(channel.readInbound(), channel.readInbound(), channel.readInbound()))
                .containsExactly(new Ping(1), new Ping(2), new Pong(3));
    }

    @Test
    void badMagicClosesTheConnectionWithOneReason() {
        ByteBuf wire = encode(new Ping(1));
        wire.setInt(0, 0x47455420); // "GET ": an HTTP client
        assertRejected(wire, "bad magic 0x47455420");
    }

    @Test
    void aNoticeWithAStreamIdIsRejected() {
        ByteBuf wire = encode(new Notice(42, text("x")));
        wire.setInt(8, 5);
        assertRejected(wire, "NOTICE frame with stream id 5 (must be 0)");
    }

    @Test
    void unknownFrameTypeIsRejected() {
        ByteBuf wire = encode(new Ping(1));
        wire.setByte(5, 0x7F);
        assertRejected(wire, "unknown frame type 0x7f");
    }

    @Test
    void oversizedFrameIsRejectedBeforeItsBodyIsBuffered() {
        ByteBuf header = Unpooled.buffer(FrameFormat.HEADER_BYTES)
                .writeInt(FrameFormat.MAGIC)
                .writeByte(1)
                .writeByte(FrameType.STREAM_DATA.code())
                .writeShort(0)
                .writeInt(1)
                .writeInt(FrameFormat.MAX_PAYLOAD_BYTES + 1);
        assertRejected(header, "exceeds the limit of " + FrameFormat.MAX_PAYLOAD_BYTES);
    }

    @Test
    void truncatedFrameAtEndOfConnectionIsReportedOnce() {
        ByteBuf wire = encode(new Request(1, 5, 1000, text("complete body")));
        EmbeddedChannel channel = decoderChannel();
        channel.writeInbound(wire.readRetainedSlice(wire.readableBytes() - 4));
        wire.release();
        assertThat((Object) channel.readInbound()).isNull();
        channel.finish();
        assertThat(protocolErrors).singleElement().asString().contains("in the middle of a frame");
    }

    @Test
    void malformedFieldsAreRejected() {
        ByteBuf shortPing = Unpooled.buffer()
                .writeInt(FrameFormat.MAGIC)
                .writeByte(1)
                .writeByte(FrameType.PING.code())
                .writeShort(0)
                .writeInt(0)
                .writeInt(3)
                .writeBytes(new byte[3]);
        assertRejected(shortPing, "PING frame too short");
    }

    @Test
    void textLengthBeyondThePayloadIsRejected() {
        ByteBuf wire = encode(new GoAway(GoAwayCode.SHUTDOWN, "bye"));
        wire.setShort(FrameFormat.HEADER_BYTES + 2, 500);
        assertRejected(wire, "claims 500 bytes");
    }

    @Test
    void connectionFramesMustUseStreamZeroAndStreamFramesMustNot() {
        ByteBuf ping = encode(new Ping(1));
        ping.setInt(8, 5);
        assertRejected(ping, "must be 0");
        protocolErrors.clear();
        ByteBuf data = encode(new StreamData(5, text("x"), false));
        data.setInt(8, 0);
        assertRejected(data, "must not be 0");
    }

    @Test
    void zeroWindowIncrementIsRejected() {
        ByteBuf wire = encode(new WindowUpdate(3, 1));
        wire.setInt(FrameFormat.HEADER_BYTES, 0);
        assertRejected(wire, "must be positive");
    }

    @Test
    void bytesAfterAProtocolErrorAreDiscarded() {
        ByteBuf wire = encode(new Ping(1));
        wire.setInt(0, 0);
        EmbeddedChannel channel = decoderChannel();
        channel.writeInbound(Unpooled.wrappedBuffer(wire, encode(new Ping(2))));
        assertThat((Object) channel.readInbound()).isNull();
        assertThat(protocolErrors).hasSize(1);
    }

    @Test
    void encoderRefusesOversizedPayloads() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameEncoder());
        ByteBuf huge =
                Unpooled.buffer(FrameFormat.MAX_PAYLOAD_BYTES + 1).writerIndex(FrameFormat.MAX_PAYLOAD_BYTES + 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> channel.writeOutbound(new Response(1, huge)))
                .hasRootCauseMessage("refusing to send a RESPONSE frame of " + (FrameFormat.MAX_PAYLOAD_BYTES + 1)
                        + " bytes: the limit is " + FrameFormat.MAX_PAYLOAD_BYTES + " (split the payload)");
        assertThat(huge.refCnt()).isZero();
    }

    private void assertRejected(ByteBuf wire, String reasonFragment) {
        EmbeddedChannel channel = decoderChannel();
        channel.writeInbound(wire);
        assertThat((Object) channel.readInbound()).isNull();
        assertThat(channel.isOpen()).as("connection closed").isFalse();
        assertThat(protocolErrors).singleElement().asString().contains(reasonFragment);
    }

    static ByteBuf encode(Frame frame) {
        EmbeddedChannel encoder = new EmbeddedChannel(new FrameEncoder());
        encoder.writeOutbound(frame);
        ByteBuf wire = Unpooled.buffer();
        for (ByteBuf part; (part = encoder.readOutbound()) != null; ) {
            wire.writeBytes(part);
            part.release();
        }
        return wire;
    }

    private Frame roundTrip(Frame frame) {
        EmbeddedChannel channel = decoderChannel();
        channel.writeInbound(encode(frame));
        return channel.readInbound();
    }

    private static ByteBuf text(String value) {
        return Unpooled.copiedBuffer(value, UTF_8);
    }

    /** A frame as text, with bodies shown as their content (records print buffers by identity). */
    private static String describe(Frame frame) {
        return switch (frame) {
            case Request r ->
                "Request"
                        + List.of(
                                r.streamId(),
                                r.service(),
                                r.timeoutMillis(),
                                r.body().toString(UTF_8));
            case Response r -> "Response" + List.of(r.streamId(), r.body().toString(UTF_8));
            case Notice n -> "Notice" + List.of(n.service(), n.body().toString(UTF_8));
            case StreamOpen o ->
                "StreamOpen" + List.of(o.streamId(), o.service(), o.header().toString(UTF_8));
            case StreamData d -> "StreamData" + List.of(d.streamId(), d.data().toString(UTF_8), d.fin());
            default -> frame.toString();
        };
    }
}
