package io.dpuoffload.transport.frame;

import static io.dpuoffload.transport.frame.FrameFormat.FLAG_ERROR;
import static io.dpuoffload.transport.frame.FrameFormat.FLAG_FIN;
import static io.dpuoffload.transport.frame.FrameFormat.HEADER_BYTES;
import static io.dpuoffload.transport.frame.FrameFormat.MAGIC;
import static io.dpuoffload.transport.frame.FrameFormat.MAX_PAYLOAD_BYTES;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Turns bytes into {@link Frame}s. Waits for whole frames; a frame that breaks the protocol (bad
 * magic, unknown type, oversized, malformed fields) or a connection that ends mid-frame is reported
 * once to the error sink, and the connection is closed. Nothing here throws past the channel.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    /** Receives (channel, reason) once per connection that broke the protocol. */
    private final BiConsumer<ChannelHandlerContext, String> protocolErrors;

    private boolean failed;

    public FrameDecoder(BiConsumer<ChannelHandlerContext, String> protocolErrors) {
        this.protocolErrors = protocolErrors;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (!failed && in.readableBytes() >= HEADER_BYTES) {
            try {
                Frame frame = decodeOne(in);
                if (frame == null) {
                    return; // the rest of the frame has not arrived yet
                }
                out.add(frame);
            } catch (ProtocolException e) {
                fail(ctx, e.getMessage());
            }
        }
        if (failed) {
            in.skipBytes(in.readableBytes());
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        decode(ctx, in, out);
        if (!failed && in.isReadable()) {
            fail(ctx, "connection ended in the middle of a frame (" + in.readableBytes() + " bytes of it arrived)");
            in.skipBytes(in.readableBytes());
        }
    }

    private void fail(ChannelHandlerContext ctx, String reason) {
        failed = true;
        protocolErrors.accept(ctx, reason);
        ctx.close();
    }

    /** One whole frame from {@code in}, or null (nothing consumed) when it has not all arrived. */
    private static Frame decodeOne(ByteBuf in) throws ProtocolException {
        int start = in.readerIndex();
        int magic = in.getInt(start);
        if (magic != MAGIC) {
            throw new ProtocolException(
                    String.format("bad magic 0x%08x: the peer does not speak the dpu-offload protocol", magic));
        }
        if (in.getUnsignedByte(start + 4) == 0) {
            throw new ProtocolException("protocol version 0 in a frame header");
        }
        int typeCode = in.getUnsignedByte(start + 5);
        FrameType type = FrameType.ofCode(typeCode);
        if (type == null) {
            throw new ProtocolException(String.format("unknown frame type 0x%02x", typeCode));
        }
        int flags = in.getUnsignedShort(start + 6);
        int streamId = in.getInt(start + 8);
        long length = in.getUnsignedInt(start + 12);
        if (length > MAX_PAYLOAD_BYTES) {
            throw new ProtocolException(
                    type + " frame of " + length + " bytes exceeds the limit of " + MAX_PAYLOAD_BYTES);
        }
        if (in.readableBytes() < HEADER_BYTES + length) {
            // Room for the whole frame now: left to grow by doubling as the rest arrives, the
            // buffer would copy a large frame (a 1 MiB file write) several times over. A buffer that
            // cannot grow (a slice) is left alone: the cumulator copies it into one that can. So is
            // one that earlier frames' bodies still share (refCnt > 1): growing it in place moves its
            // memory under them, which only the cumulator's copy-and-release does safely.
            if (in.refCnt() == 1) {
                in.ensureWritable((int) (HEADER_BYTES + length - in.readableBytes()), false);
            }
            return null;
        }
        in.skipBytes(HEADER_BYTES);
        ByteBuf payload = in.readSlice((int) length);
        checkStreamId(type, streamId);
        Frame frame = parse(type, flags, streamId, payload);
        if (payload.isReadable()) {
            frame.release();
            throw new ProtocolException(type + " frame has " + payload.readableBytes() + " unexpected trailing bytes");
        }
        return frame;
    }

    private static void checkStreamId(FrameType type, int streamId) throws ProtocolException {
        boolean connectionLevel =
                switch (type) {
                    // A NOTICE belongs to no stream: nothing answers it.
                    case HELLO, HELLO_ACK, GO_AWAY, PING, PONG, NOTICE -> true;
                    case REQUEST, RESPONSE, RESET, STREAM_OPEN, STREAM_DATA, WINDOW_UPDATE -> false;
                };
        if (connectionLevel != (streamId == 0)) {
            throw new ProtocolException(type + " frame with stream id " + Integer.toUnsignedString(streamId)
                    + (connectionLevel ? " (must be 0)" : " (must not be 0)"));
        }
    }

    private static Frame parse(FrameType type, int flags, int streamId, ByteBuf p) throws ProtocolException {
        return switch (type) {
            case HELLO -> {
                need(p, 10, type);
                yield new Frame.Hello(
                        p.readUnsignedByte(), p.readUnsignedByte(), p.readLong(), Text.read(p, "software"));
            }
            case HELLO_ACK -> {
                need(p, 9, type);
                yield new Frame.HelloAck(p.readUnsignedByte(), p.readLong(), Text.read(p, "software"));
            }
            case GO_AWAY -> {
                need(p, 2, type);
                yield new Frame.GoAway(GoAwayCode.ofCode(p.readUnsignedShort()), Text.read(p, "reason"));
            }
            case PING -> new Frame.Ping(need(p, 8, type).readLong());
            case PONG -> new Frame.Pong(need(p, 8, type).readLong());
            case REQUEST -> {
                need(p, 6, type);
                int service = p.readUnsignedShort();
                long timeout = p.readUnsignedInt();
                yield new Frame.Request(streamId, service, timeout, rest(p));
            }
            case NOTICE -> {
                need(p, 2, type);
                int service = p.readUnsignedShort();
                yield new Frame.Notice(service, rest(p));
            }
            case RESPONSE -> {
                if ((flags & FLAG_ERROR) != 0) {
                    need(p, 4, type);
                    yield new Frame.ErrorResponse(streamId, p.readInt(), Text.read(p, "error message"));
                }
                yield new Frame.Response(streamId, rest(p));
            }
            case RESET -> {
                need(p, 2, type);
                yield new Frame.Reset(streamId, ResetCode.ofCode(p.readUnsignedShort()), Text.read(p, "reason"));
            }
            case STREAM_OPEN -> {
                need(p, 2, type);
                int service = p.readUnsignedShort();
                yield new Frame.StreamOpen(streamId, service, rest(p));
            }
            case STREAM_DATA -> new Frame.StreamData(streamId, rest(p), (flags & FLAG_FIN) != 0);
            case WINDOW_UPDATE -> {
                int increment = need(p, 4, type).readInt();
                if (increment <= 0) {
                    throw new ProtocolException("WINDOW_UPDATE with increment " + increment + " (must be positive)");
                }
                yield new Frame.WindowUpdate(streamId, increment);
            }
        };
    }

    private static ByteBuf need(ByteBuf payload, int bytes, FrameType type) throws ProtocolException {
        if (payload.readableBytes() < bytes) {
            throw new ProtocolException(
                    type + " frame too short: " + payload.readableBytes() + " bytes, needs " + bytes);
        }
        return payload;
    }

    /** The rest of the payload as a body the frame owns (a retained slice: no copy). */
    private static ByteBuf rest(ByteBuf payload) {
        return payload.readRetainedSlice(payload.readableBytes());
    }
}
