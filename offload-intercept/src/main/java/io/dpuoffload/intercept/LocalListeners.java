package io.dpuoffload.intercept;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a Unix socket of this network namespace listens at a path, from /proc/net/unix (which
 * shows each bound socket's path as its binder wrote it). A connect to such a path stays local
 * even under a peer directory: the directory is shared, the listener is ours.
 */
public final class LocalListeners {
    /** __SO_ACCEPTCON in /proc/net/unix's Flags column: the socket is listening. */
    private static final int ACCEPTING = 0x10000;

    private LocalListeners() {}

    /** Whether a Unix socket of this network namespace listens at {@code path}, as it was bound. */
    public static boolean listensAt(String path) {
        try (var lines = Files.lines(Path.of("/proc/net/unix"))) {
            return lines.skip(1).anyMatch(line -> {
                // Num RefCount Protocol Flags Type St Inode [Path]
                String[] fields = line.trim().split("\\s+", 8);
                return fields.length == 8
                        && fields[7].equals(path)
                        && (Integer.parseInt(fields[3], 16) & ACCEPTING) != 0;
            });
        } catch (IOException | RuntimeException e) {
            return false; // unreadable: carry, as configured
        }
    }
}
