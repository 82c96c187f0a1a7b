package io.dpuoffload.ipc;

import io.dpuoffload.linux.SocketName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Which local sockets the peer may connect to: path prefixes (whole components) and abstract-name
 * prefixes ({@code @qemu-}). Deny by default. A path is judged by where it really is: its
 * directory with every symlink resolved, so a link inside an allowed directory that points out of
 * it does not carry a connection out.
 */
public final class IpcAllowlist {
    private final List<String> paths;
    private final List<String> abstractNames;

    public IpcAllowlist(List<String> prefixes) {
        this.paths = prefixes.stream()
                .filter(p -> !p.startsWith("@"))
                .map(p -> p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p)
                .toList();
        this.abstractNames = prefixes.stream()
                .filter(p -> p.startsWith("@"))
                .map(p -> p.substring(1))
                .toList();
    }

    /** The path that was judged (for the audit line), or null when {@code name} is not allowed. */
    String judge(SocketName name) {
        String text = new String(name.bytes(), StandardCharsets.UTF_8);
        if (name.isAbstract()) {
            return abstractNames.stream().anyMatch(text::startsWith) ? "@" + text : null;
        }
        Path path = Path.of(text);
        if (!path.isAbsolute() || path.getParent() == null) {
            return null;
        }
        String real;
        try {
            real = path.getParent().toRealPath().resolve(path.getFileName()).toString();
        } catch (IOException e) {
            real = path.normalize().toString(); // no such directory: connect will say ENOENT
            if (!real.equals(text)) {
                return null;
            }
        }
        for (String prefix : paths) {
            if (prefix.equals("/") || real.equals(prefix) || real.startsWith(prefix + "/")) {
                return real;
            }
        }
        return null;
    }
}
