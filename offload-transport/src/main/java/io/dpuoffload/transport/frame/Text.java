package io.dpuoffload.transport.frame;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Short UTF-8 text in a frame: a 16-bit length and the bytes. Longer text is cut, never refused. */
final class Text {
    static final int MAX_ENCODED = 2 + FrameFormat.MAX_TEXT_BYTES;

    static void write(ByteBuf out, String text) {
        byte[] bytes = (text == null ? "" : text).getBytes(StandardCharsets.UTF_8);
        int length = Math.min(bytes.length, FrameFormat.MAX_TEXT_BYTES);
        out.writeShort(length).writeBytes(bytes, 0, length);
    }

    static String read(ByteBuf in, String field) throws ProtocolException {
        if (in.readableBytes() < 2) {
            throw new ProtocolException(field + " is missing its length");
        }
        int length = in.readUnsignedShort();
        if (length > FrameFormat.MAX_TEXT_BYTES || length > in.readableBytes()) {
            throw new ProtocolException(field + " claims " + length + " bytes but " + in.readableBytes() + " remain");
        }
        return in.readCharSequence(length, StandardCharsets.UTF_8).toString();
    }

    private Text() {}
}
