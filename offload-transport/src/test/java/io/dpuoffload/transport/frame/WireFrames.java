package io.dpuoffload.transport.frame;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.dpuoffload.transport.frame.Frame.ErrorResponse;
import io.dpuoffload.transport.frame.Frame.GoAway;
import io.dpuoffload.transport.frame.Frame.Hello;
import io.dpuoffload.transport.frame.Frame.HelloAck;
import io.dpuoffload.transport.frame.Frame.Request;
import io.dpuoffload.transport.frame.Frame.Reset;
import io.dpuoffload.transport.frame.Frame.Response;
import io.dpuoffload.transport.frame.Frame.StreamData;
import io.dpuoffload.transport.frame.Frame.StreamOpen;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;

/**
 * Frames as they travel, for the fuzz tests: encoded to bytes, as the peer should receive them, and
 * described with their bodies (records print a buffer by identity; they compare it by content).
 */
final class WireFrames {

    /** The bytes {@link FrameEncoder} writes for {@code frame}; the frame's body is consumed. */
    static byte[] encode(Frame frame, ByteBufAllocator alloc) {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(new FrameEncoder());
        channel.writeOutbound(frame);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (ByteBuf part; (part = channel.readOutbound()) != null; ) {
            wire.writeBytes(ByteBufUtil.getBytes(part));
            part.release();
        }
        channel.finishAndReleaseAll();
        return wire.toByteArray();
    }

    /** The same frame with its own reference to the body, for a consumer that releases it. */
    static Frame retainedCopy(Frame frame) {
        return switch (frame) {
            case Request r ->
                new Request(
                        r.streamId(), r.service(), r.timeoutMillis(), r.body().retainedDuplicate());
            case Response r -> new Response(r.streamId(), r.body().retainedDuplicate());
            case Frame.Notice n -> new Frame.Notice(n.service(), n.body().retainedDuplicate());
            case StreamOpen o ->
                new StreamOpen(o.streamId(), o.service(), o.header().retainedDuplicate());
            case StreamData d -> new StreamData(d.streamId(), d.data().retainedDuplicate(), d.fin());
            default -> frame; // no body
        };
    }

    /**
     * What the peer decodes when {@code sent} is encoded: the documented lossy parts applied (text
     * longer than {@link FrameFormat#MAX_TEXT_BYTES} is cut, timeouts are capped at 32 bits), with
     * bodies copied so that the result outlives the sent frame.
     */
    static Frame asReceived(Frame sent) {
        return switch (sent) {
            case Hello h -> new Hello(h.minVersion(), h.maxVersion(), h.features(), cut(h.software()));
            case HelloAck a -> new HelloAck(a.version(), a.features(), cut(a.software()));
            case GoAway g -> new GoAway(g.code(), cut(g.reason()));
            case ErrorResponse e -> new ErrorResponse(e.streamId(), e.code(), cut(e.message()));
            case Reset r -> new Reset(r.streamId(), r.code(), cut(r.reason()));
            case Request r ->
                new Request(r.streamId(), r.service(), Math.min(r.timeoutMillis(), 0xFFFF_FFFFL), copy(r.body()));
            case Response r -> new Response(r.streamId(), copy(r.body()));
            case Frame.Notice n -> new Frame.Notice(n.service(), copy(n.body()));
            case StreamOpen o -> new StreamOpen(o.streamId(), o.service(), copy(o.header()));
            case StreamData d -> new StreamData(d.streamId(), copy(d.data()), d.fin());
            case Frame.Ping p -> p;
            case Frame.Pong p -> p;
            case Frame.WindowUpdate w -> w;
        };
    }

    /** The frame with its bodies in hex and anything but printable ASCII escaped. */
    static String describe(Frame frame) {
        String text =
                switch (frame) {
                    case Request r ->
                        "Request[streamId=%d, service=%d, timeoutMillis=%d, body=%s]"
                                .formatted(r.streamId(), r.service(), r.timeoutMillis(), ByteBufUtil.hexDump(r.body()));
                    case Response r ->
                        "Response[streamId=%d, body=%s]".formatted(r.streamId(), ByteBufUtil.hexDump(r.body()));
                    case Frame.Notice n ->
                        "Notice[service=%d, body=%s]".formatted(n.service(), ByteBufUtil.hexDump(n.body()));
                    case StreamOpen o ->
                        "StreamOpen[streamId=%d, service=%d, header=%s]"
                                .formatted(o.streamId(), o.service(), ByteBufUtil.hexDump(o.header()));
                    case StreamData d ->
                        "StreamData[streamId=%d, data=%s, fin=%b]"
                                .formatted(d.streamId(), ByteBufUtil.hexDump(d.data()), d.fin());
                    default -> frame.toString();
                };
        StringBuilder printable = new StringBuilder(text.length());
        text.chars()
                .forEach(c ->
                        printable.append(c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : "\\u%04x".formatted(c)));
        return printable.toString();
    }

    /**
     * Text as the peer reads it: UTF-8 can carry no lone surrogate (the encoder writes '?'), and text
     * over the limit loses its last whole characters, never half of one.
     */
    private static String cut(String text) {
        byte[] utf8 = text.getBytes(UTF_8);
        String sendable = new String(utf8, UTF_8);
        int bytes = 0;
        int end = 0;
        while (end < sendable.length()) {
            int codePoint = sendable.codePointAt(end);
            int size = Character.toString(codePoint).getBytes(UTF_8).length;
            if (bytes + size > FrameFormat.MAX_TEXT_BYTES) {
                break;
            }
            bytes += size;
            end += Character.charCount(codePoint);
        }
        return sendable.substring(0, end);
    }

    private static ByteBuf copy(ByteBuf body) {
        return Unpooled.copiedBuffer(body);
    }

    private WireFrames() {}
}
