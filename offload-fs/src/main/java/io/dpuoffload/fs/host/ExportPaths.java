package io.dpuoffload.fs.host;

import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.PathCalls;
import java.nio.charset.StandardCharsets;

/**
 * Where an inode is inside its export, for the allowlist and the audit log. Read back from the
 * kernel ({@code /proc/self/fd/N}), so it is the inode's real current path, whatever name the
 * client used and whatever a host process renamed since.
 */
final class ExportPaths {
    private final String root;

    ExportPaths(int rootFd) throws ErrnoException {
        this.root = realPath(rootFd);
    }

    /** "/" for the root, "/a/b" inside, or null when the inode is no longer inside the export. */
    String of(Inode inode) throws ErrnoException {
        return inside(realPath(inode.fd()));
    }

    /** Whether the file {@code fd} is open on is (by its path as the kernel knows it) inside the export. */
    boolean contains(int fd) throws ErrnoException {
        return inside(realPath(fd)) != null;
    }

    private String inside(String real) {
        if (real.equals(root)) {
            return "/";
        }
        String base = root.equals("/") ? "" : root;
        return real.startsWith(base + "/") ? real.substring(base.length()) : null;
    }

    /** The path a new name in {@code parent} will have. */
    String child(Inode parent, byte[] name) throws ErrnoException {
        String dir = of(parent);
        if (dir == null) {
            return null;
        }
        String leaf = new String(name, StandardCharsets.UTF_8);
        return dir.equals("/") ? "/" + leaf : dir + "/" + leaf;
    }

    private static String realPath(int fd) throws ErrnoException {
        byte[] target = PathCalls.readlinkat(Flags.AT_FDCWD, "/proc/self/fd/" + fd);
        return new String(target, StandardCharsets.UTF_8);
    }
}
