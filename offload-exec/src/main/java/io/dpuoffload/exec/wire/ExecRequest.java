package io.dpuoffload.exec.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a client asks the host to run, as exact bytes: the program path, argv (argv[0] included),
 * the environment ({@code NAME=value} entries), the working directory and the umask.
 */
public record ExecRequest(byte[] program, List<byte[]> argv, List<byte[]> environment, byte[] cwd, int umask) {
    private static final int VERSION = 1;

    public String programName() {
        return new String(program, StandardCharsets.UTF_8);
    }

    /** This request without the environment variables named in {@code names} (an operator's filter). */
    public ExecRequest withoutEnvironment(java.util.Collection<String> names) {
        List<byte[]> kept = new ArrayList<>(environment.size());
        for (byte[] entry : environment) {
            int equals = 0;
            while (equals < entry.length && entry[equals] != '=') {
                equals++;
            }
            if (!names.contains(new String(entry, 0, equals, StandardCharsets.UTF_8))) {
                kept.add(entry);
            }
        }
        return new ExecRequest(program, argv, kept, cwd, umask);
    }

    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer();
        out.writeByte(VERSION);
        writeBytes(out, program);
        writeList(out, argv);
        writeList(out, environment);
        writeBytes(out, cwd);
        out.writeInt(umask);
        return out;
    }

    public static ExecRequest decode(ByteBuf in) {
        try {
            if (in.readUnsignedByte() != VERSION) {
                throw new IllegalArgumentException("not an offload-exec request of version " + VERSION);
            }
            byte[] program = readBytes(in);
            List<byte[]> argv = readList(in);
            List<byte[]> environment = readList(in);
            byte[] cwd = readBytes(in);
            return new ExecRequest(program, argv, environment, cwd, in.readInt());
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("truncated offload-exec request", e);
        }
    }

    private static void writeBytes(ByteBuf out, byte[] bytes) {
        out.writeInt(bytes.length).writeBytes(bytes);
    }

    private static void writeList(ByteBuf out, List<byte[]> values) {
        out.writeInt(values.size());
        values.forEach(v -> writeBytes(out, v));
    }

    private static byte[] readBytes(ByteBuf in) {
        int length = in.readInt();
        if (length < 0 || length > in.readableBytes()) {
            throw new IllegalArgumentException("a field of " + length + " bytes in a request of " + in.readableBytes());
        }
        byte[] bytes = new byte[length];
        in.readBytes(bytes);
        return bytes;
    }

    private static List<byte[]> readList(ByteBuf in) {
        int count = in.readInt();
        if (count < 0 || count > in.readableBytes() / 4) {
            throw new IllegalArgumentException("a list of " + count + " entries in a request of " + in.readableBytes());
        }
        List<byte[]> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(readBytes(in));
        }
        return values;
    }
}
