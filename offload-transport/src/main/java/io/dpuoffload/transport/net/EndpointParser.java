package io.dpuoffload.transport.net;

import io.netty.channel.epoll.VSockAddress;
import java.nio.file.Path;

/** Reads the text forms of {@link Endpoint}. */
final class EndpointParser {
    private static final String FORMS = "use tcp://HOST:PORT, HOST:PORT, unix:/PATH or vsock://CID:PORT";

    static Endpoint parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty endpoint: " + FORMS);
        }
        String value = text.strip();
        if (value.startsWith("unix:")) {
            String path = value.substring("unix:".length()).replaceFirst("^//", "");
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException(
                        "Unix socket endpoint '" + text + "' needs an absolute path: " + FORMS);
            }
            return new Endpoint.Unix(Path.of(path));
        }
        if (value.startsWith("vsock://")) {
            String[] parts = hostAndPort(value.substring("vsock://".length()), text);
            return new Endpoint.Vsock(cid(parts[0], text), number(parts[1], "port", text, 0xFFFF_FFFFL));
        }
        if (value.startsWith("tcp://")) {
            value = value.substring("tcp://".length());
        } else if (value.contains("://")) {
            throw new IllegalArgumentException("unknown scheme in endpoint '" + text + "': " + FORMS);
        }
        String[] parts = hostAndPort(value, text);
        return new Endpoint.Tcp(parts[0], number(parts[1], "port", text, Endpoint.MAX_PORT));
    }

    /** Splits HOST:PORT, allowing [IPv6]:PORT. */
    private static String[] hostAndPort(String value, String text) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException("endpoint '" + text + "' has no HOST:PORT: " + FORMS);
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new String[] {host, value.substring(colon + 1)};
    }

    private static int cid(String value, String text) {
        return switch (value) {
            case "any" -> VSockAddress.VMADDR_CID_ANY;
            case "hypervisor" -> VSockAddress.VMADDR_CID_HYPERVISOR;
            case "local" -> VSockAddress.VMADDR_CID_LOCAL;
            case "host" -> VSockAddress.VMADDR_CID_HOST;
            default -> number(value, "CID", text, 0xFFFF_FFFFL);
        };
    }

    /** A decimal number in 0..max; 32-bit unsigned values come back as their int bit pattern. */
    private static int number(String value, String what, String text, long max) {
        try {
            long parsed = Long.parseLong(value);
            if (parsed < 0 || parsed > max) {
                throw new IllegalArgumentException(
                        what + " " + parsed + " in endpoint '" + text + "' is outside 0.." + max);
            }
            return (int) parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    what + " '" + value + "' in endpoint '" + text + "' is not a number: " + FORMS);
        }
    }

    private EndpointParser() {}
}
