package io.dpuoffload.transport.frame;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Short UTF-8 text in a frame: a 16-bit length and the bytes. Longer text is cut, never refused. */
final class Text {
    static final int MAX_ENCODED = 2 + FrameFormat.MAX_TEXT_BYTES;

    static void write(ByteBuf out, String text) {
        byte[] bytes = (text == null ? "" : text).getBytes(StandardCharsets.UTF_8);
        int length = Math.min(bytes.length, FrameFormat.MAX_TEXT_BYTES);
        while (length < bytes.length && length > 0 && (bytes[length] & 0xC0) == 0x80) {
            length--; // never cut inside a character: the peer must read valid UTF-8
        }
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
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(in.readSlice(length).nioBuffer())
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ProtocolException(field + " is not valid UTF-8");
        }
    }

    private Text() {}
}
