package io.dpuoffload.transport.frame;

import static io.dpuoffload.transport.frame.FrameFormat.FLAG_ERROR;
import static io.dpuoffload.transport.frame.FrameFormat.FLAG_FIN;
import static io.dpuoffload.transport.frame.FrameFormat.HEADER_BYTES;
import static io.dpuoffload.transport.frame.FrameFormat.MAGIC;
import static io.dpuoffload.transport.frame.FrameFormat.MAX_PAYLOAD_BYTES;

import io.dpuoffload.transport.ProtocolVersions;
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
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Writes {@link Frame}s: a small buffer with the header and fixed fields, followed by the frame's
 * body buffer as it is (no copy). The body's ownership passes to the channel.
 */
public final class FrameEncoder extends MessageToMessageEncoder<Frame> {

    /** Written into each header; the handshake sets it to the negotiated version. */
    private volatile int version = ProtocolVersions.SUPPORTED.max();

    public FrameEncoder() {
        super(Frame.class);
    }

    public void useVersion(int negotiated) {
        this.version = negotiated;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, List<Object> out) {
        ByteBufAllocator alloc = ctx.alloc();
        switch (frame) {
            case Hello h -> {
                ByteBuf fields = alloc.buffer(10 + Text.MAX_ENCODED);
                fields.writeByte(h.minVersion()).writeByte(h.maxVersion()).writeLong(h.features());
                Text.write(fields, h.software());
                emit(alloc, frame, 0, fields, null, out);
            }
            case HelloAck a -> {
                ByteBuf fields = alloc.buffer(9 + Text.MAX_ENCODED);
                fields.writeByte(a.version()).writeLong(a.features());
                Text.write(fields, a.software());
                emit(alloc, frame, 0, fields, null, out);
            }
            case GoAway g -> {
                ByteBuf fields = alloc.buffer(2 + Text.MAX_ENCODED);
                fields.writeShort(g.code().code());
                Text.write(fields, g.reason());
                emit(alloc, frame, 0, fields, null, out);
            }
            case Ping p -> emit(alloc, frame, 0, alloc.buffer(8).writeLong(p.payload()), null, out);
            case Pong p -> emit(alloc, frame, 0, alloc.buffer(8).writeLong(p.payload()), null, out);
            case Request r -> {
                ByteBuf fields = alloc.buffer(6).writeShort(r.service());
                fields.writeInt((int) Math.clamp(r.timeoutMillis(), 0, 0xFFFF_FFFFL));
                emit(alloc, frame, 0, fields, r.body(), out);
            }
            case Notice n -> emit(alloc, frame, 0, alloc.buffer(2).writeShort(n.service()), n.body(), out);
            case Response r -> emit(alloc, frame, 0, null, r.body(), out);
            case ErrorResponse e -> {
                ByteBuf fields = alloc.buffer(4 + Text.MAX_ENCODED).writeInt(e.code());
                Text.write(fields, e.message());
                emit(alloc, frame, FLAG_ERROR, fields, null, out);
            }
            case Reset r -> {
                ByteBuf fields =
                        alloc.buffer(2 + Text.MAX_ENCODED).writeShort(r.code().code());
                Text.write(fields, r.reason());
                emit(alloc, frame, 0, fields, null, out);
            }
            case StreamOpen o -> emit(alloc, frame, 0, alloc.buffer(2).writeShort(o.service()), o.header(), out);
            case StreamData d -> emit(alloc, frame, d.fin() ? FLAG_FIN : 0, null, d.data(), out);
            case WindowUpdate w -> emit(alloc, frame, 0, alloc.buffer(4).writeInt(w.increment()), null, out);
        }
    }

    private void emit(ByteBufAllocator alloc, Frame frame, int flags, ByteBuf fields, ByteBuf body, List<Object> out) {
        int length = (fields == null ? 0 : fields.readableBytes()) + (body == null ? 0 : body.readableBytes());
        if (length > MAX_PAYLOAD_BYTES) {
            release(fields, body);
            throw new IllegalArgumentException("refusing to send a " + frame.type() + " frame of " + length
                    + " bytes: the limit is " + MAX_PAYLOAD_BYTES + " (split the payload)");
        }
        ByteBuf header = alloc.buffer(HEADER_BYTES + (fields == null ? 0 : fields.readableBytes()));
        header.writeInt(MAGIC)
                .writeByte(version)
                .writeByte(frame.type().code())
                .writeShort(flags)
                .writeInt(frame.streamId())
                .writeInt(length);
        if (fields != null) {
            header.writeBytes(fields);
            fields.release();
        }
        out.add(header);
        if (body != null) {
            out.add(body);
        }
    }

    private static void release(ByteBuf fields, ByteBuf body) {
        if (fields != null) {
            fields.release();
        }
        if (body != null) {
            body.release();
        }
    }
}
