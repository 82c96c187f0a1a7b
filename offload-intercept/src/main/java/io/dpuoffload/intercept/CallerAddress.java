package io.dpuoffload.intercept;

import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Pidfds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The Unix socket path an intercepted {@code connect(fd, addr, len)} names, read from the caller's
 * memory and made absolute in this process's view: relative to the caller's working directory,
 * under its root if it is chrooted (as daemons in the offload root are).
 */
final class CallerAddress {
    private static final int AF_UNIX = 1;
    private static final int SUN_PATH_OFFSET = 2;
    private static final int SOCKADDR_UN_SIZE = 110;

    private CallerAddress() {}

    /** The path, or null when the address is not a Unix path (another family, abstract, unnamed, unreadable). */
    static ConnectPath unixPathOf(int pid, long address, long length) {
        if (length <= SUN_PATH_OFFSET || length > SOCKADDR_UN_SIZE || address == 0) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = Pidfds.readMemory(pid, address, (int) length);
        } catch (ErrnoException e) {
            return null; // the kernel will read it again and answer for itself
        }
        if (bytes.length < length || (bytes[0] & 0xff | (bytes[1] & 0xff) << 8) != AF_UNIX) {
            return null;
        }
        if (bytes[SUN_PATH_OFFSET] == 0) {
            return null; // abstract: no file, nothing of the peer's
        }
        int end = SUN_PATH_OFFSET;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        String path = new String(Arrays.copyOfRange(bytes, SUN_PATH_OFFSET, end), StandardCharsets.UTF_8);
        try {
            return new ConnectPath(path, inCallersView(pid, path));
        } catch (IOException e) {
            return null; // the caller is gone
        }
    }

    private static Path inCallersView(int pid, String path) throws IOException {
        Path proc = Path.of("/proc", Integer.toString(pid));
        Path named = path.startsWith("/")
                ? Path.of(path)
                : Files.readSymbolicLink(proc.resolve("cwd")).resolve(path);
        if (!path.startsWith("/")) {
            return named.normalize(); // the cwd link is already in our view, root included
        }
        Path root = Files.readSymbolicLink(proc.resolve("root"));
        return root.resolve(named.toString().substring(1)).normalize();
    }
}
