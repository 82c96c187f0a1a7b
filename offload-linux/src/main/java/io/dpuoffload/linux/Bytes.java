package io.dpuoffload.linux;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Names and paths are bytes on Linux; these helpers convert at the edges. */
final class Bytes {
    private Bytes() {}

    /** The UTF-8 bytes of a path given as a String (the convenience overloads). */
    static byte[] of(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    /** An embedded NUL would silently cut a path short in C: refuse it. */
    static void requireNoNul(byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) {
                throw new IllegalArgumentException("a path or name must not contain NUL: " + display(bytes));
            }
        }
    }

    /** Longest part of a path shown in a message; paths may be 4 KiB. */
    static final int DISPLAY_MAX = 256;

    /**
     * A readable rendering for messages: valid UTF-8 as text, control characters and invalid bytes as {@code
     * \xNN}, cut after {@link #DISPLAY_MAX} bytes.
     */
    static String display(byte[] bytes) {
        if (bytes.length > DISPLAY_MAX) {
            return render(Arrays.copyOf(bytes, DISPLAY_MAX)) + "…(" + bytes.length + " bytes)";
        }
        return render(bytes);
    }

    private static String render(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            StringBuilder sb = new StringBuilder(bytes.length * 2);
            for (byte b : bytes) {
                int c = b & 0xff;
                if (c < 0x20 || c >= 0x7f) {
                    sb.append(String.format("\\x%02x", c));
                } else {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        }
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (sb == null) {
                    sb = new StringBuilder(text.length() + 8).append(text, 0, i);
                }
                sb.append(String.format("\\x%02x", (int) c));
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? text : sb.toString();
    }
}
