package io.dpuoffload.fs.fuse;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Builds request frames byte by byte, independently of the decoder: each argument structure is filled
 * with absolute little-endian writes at the offsets {@code include/uapi/linux/fuse.h} gives, then the
 * header's 40 bytes are written at theirs.
 */
final class RequestFrames {

    static final long UNIQUE = 0x1122_3344_5566_7788L;
    static final long NODEID = 0x0102_0304_0506_0708L;
    static final int UID = 1000;
    static final int GID = 1001;
    static final int PID = 4242;

    private final int opcode;
    private final ByteArrayOutputStream args = new ByteArrayOutputStream();
    private final ByteArrayOutputStream extensions = new ByteArrayOutputStream();
    private long unique = UNIQUE;
    private long nodeid = NODEID;
    private Integer lenOverride;

    private RequestFrames(int opcode) {
        this.opcode = opcode;
    }

    static RequestFrames request(FuseOpcode op) {
        return new RequestFrames(op.code());
    }

    static RequestFrames request(int rawOpcode) {
        return new RequestFrames(rawOpcode);
    }

    RequestFrames unique(long value) {
        unique = value;
        return this;
    }

    RequestFrames nodeid(long value) {
        nodeid = value;
        return this;
    }

    /** Writes the header's len field as given instead of the frame's real length. */
    RequestFrames len(int value) {
        lenOverride = value;
        return this;
    }

    /** An argument structure of {@code size} bytes, zeroed, filled by absolute puts. */
    RequestFrames struct(int size, Consumer<ByteBuffer> fill) {
        ByteBuffer s = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        fill.accept(s);
        args.writeBytes(s.array());
        return this;
    }

    /** A NUL-terminated string. */
    RequestFrames string(String s) {
        args.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        args.write(0);
        return this;
    }

    RequestFrames bytes(byte[] b) {
        args.writeBytes(b);
        return this;
    }

    /** A {@code fuse_ext_header} of this type whose body (padded to 8 bytes) the consumer fills. */
    RequestFrames extension(int type, int bodySize, Consumer<ByteBuffer> fill) {
        int size = (8 + bodySize + 7) & ~7;
        ByteBuffer e = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        e.putInt(0, size).putInt(4, type);
        fill.accept(e.slice(8, bodySize).order(ByteOrder.LITTLE_ENDIAN));
        extensions.writeBytes(e.array());
        return this;
    }

    /** The argument bytes alone (no header, no extensions). */
    byte[] argBytes() {
        return args.toByteArray();
    }

    ByteBuffer build() {
        byte[] a = args.toByteArray();
        byte[] x = extensions.toByteArray();
        int len = 40 + a.length + x.length;
        ByteBuffer f = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        f.putInt(0, lenOverride != null ? lenOverride : len);
        f.putInt(4, opcode);
        f.putLong(8, unique);
        f.putLong(16, nodeid);
        f.putInt(24, UID);
        f.putInt(28, GID);
        f.putInt(32, PID);
        f.putShort(36, (short) (x.length / 8));
        f.put(40, a);
        f.put(40 + a.length, x);
        return f;
    }

    /** A frame with the header of {@code base} and only the first {@code argBytes} of its arguments. */
    static ByteBuffer truncated(ByteBuffer base, int argBytes) {
        ByteBuffer f = ByteBuffer.allocate(40 + argBytes).order(ByteOrder.LITTLE_ENDIAN);
        f.put(0, base, 0, 40 + argBytes);
        f.putInt(0, 40 + argBytes);
        f.putShort(36, (short) 0);
        return f;
    }

    /** A frame of {@code base} with {@code extra} zero bytes appended and its len adjusted. */
    static ByteBuffer padded(ByteBuffer base, int extra) {
        int len = base.remaining() + extra;
        ByteBuffer f = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        f.put(0, base, 0, base.remaining());
        f.putInt(0, len);
        return f;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
