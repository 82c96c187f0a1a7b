package io.dpuoffload.linux;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The name of an AF_UNIX socket: a path in the file system, or a name in the abstract namespace
 * (Linux only, written {@code @name} by tools such as ss and socat).
 */
public record SocketName(byte[] bytes, boolean isAbstract) {
    public SocketName {
        bytes = bytes.clone();
        int room = isAbstract ? UnixSockets.MAX_PATH_BYTES : UnixSockets.MAX_PATH_BYTES - 1;
        if (bytes.length == 0 || bytes.length > room) {
            throw new IllegalArgumentException("a Unix socket " + (isAbstract ? "name" : "path") + " has 1 to " + room
                    + " bytes, not " + bytes.length + ": " + new String(bytes, StandardCharsets.UTF_8));
        }
        for (byte b : bytes) {
            if (b == 0 && !isAbstract) {
                throw new IllegalArgumentException("a socket path must not contain a NUL byte");
            }
        }
    }

    public static SocketName path(String path) {
        return new SocketName(path.getBytes(StandardCharsets.UTF_8), false);
    }

    public static SocketName abstractName(String name) {
        return new SocketName(name.getBytes(StandardCharsets.UTF_8), true);
    }

    /** {@code @name} for an abstract name, anything else a path. */
    public static SocketName parse(String text) {
        return text.startsWith("@") ? abstractName(text.substring(1)) : path(text);
    }

    /** The socklen_t for connect and bind: the family, then the path with its NUL, or a NUL and the name. */
    int addressLength() {
        return 2 + 1 + bytes.length;
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SocketName that && isAbstract == that.isAbstract && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes) * 31 + Boolean.hashCode(isAbstract);
    }

    @Override
    public String toString() {
        return (isAbstract ? "@" : "") + new String(bytes, StandardCharsets.UTF_8);
    }
}
