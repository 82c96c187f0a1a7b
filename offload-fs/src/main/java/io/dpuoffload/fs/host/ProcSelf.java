package io.dpuoffload.fs.host;

import java.nio.charset.StandardCharsets;

/**
 * {@code /proc/self/fd/N}: how the server reaches an inode it holds as an O_PATH descriptor for
 * calls that have no descriptor form (open with new flags, chmod, xattrs, link). The descriptor
 * was resolved beneath the export, so following its magic link cannot leave the export.
 */
final class ProcSelf {
    static byte[] fd(int fd) {
        return ("/proc/self/fd/" + fd).getBytes(StandardCharsets.US_ASCII);
    }

    private ProcSelf() {}
}
