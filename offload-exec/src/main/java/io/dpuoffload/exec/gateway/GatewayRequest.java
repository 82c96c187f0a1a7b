package io.dpuoffload.exec.gateway;

import io.dpuoffload.exec.wire.ExecRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@code rexec} client sends its gateway (see src/main/c/rexec.c): after a 4-byte length,
 * "DPUX", a version byte, the client's own socket fd (not one of the program's), the program, argv,
 * environment, working directory and umask; integers big-endian, strings as a length and bytes.
 */
record GatewayRequest(int clientSocketFd, ExecRequest exec) {
    static final int VERSION = 2;

    /**
     * argv and environment together may take a quarter of an 8 MiB stack on Linux (execve's limit),
     * so 4 MiB holds whatever a client could have been started with.
     */
    static final int MAX_BYTES = 4 << 20;

    private static final byte[] MAGIC = "DPUX".getBytes(StandardCharsets.US_ASCII);

    /** Decodes the body that followed the length; IllegalArgumentException names what is wrong. */
    static GatewayRequest decode(ByteBuffer body) {
        try {
            byte[] magic = new byte[MAGIC.length];
            body.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new IllegalArgumentException("not a rexec client (no DPUX magic)");
            }
            int version = Byte.toUnsignedInt(body.get());
            if (version != VERSION) {
                throw new IllegalArgumentException("rexec speaks version " + version + ", this gateway " + VERSION
                        + ": use the rexec of this release");
            }
            int clientSocket = body.getInt();
            byte[] program = bytes(body);
            List<byte[]> argv = list(body);
            List<byte[]> environment = list(body);
            byte[] cwd = bytes(body);
            int umask = body.getInt() & 0777;
            return new GatewayRequest(clientSocket, new ExecRequest(program, argv, environment, cwd, umask));
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated rexec request", e);
        }
    }

    private static byte[] bytes(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("a field of " + length + " bytes in " + in.remaining() + " left");
        }
        byte[] value = new byte[length];
        in.get(value);
        return value;
    }

    private static List<byte[]> list(ByteBuffer in) {
        int count = in.getInt();
        if (count < 0 || count > in.remaining() / 4) {
            throw new IllegalArgumentException("a list of " + count + " entries in " + in.remaining() + " bytes");
        }
        List<byte[]> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(bytes(in));
        }
        return values;
    }
}
