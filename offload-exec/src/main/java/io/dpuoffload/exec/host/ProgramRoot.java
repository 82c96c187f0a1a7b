package io.dpuoffload.exec.host;

import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Spawn;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Where the programs the DPU starts see the host's files. An exec server on the node itself starts
 * them in its own root. One in a pod (the node agent's DaemonSet) has the node's {@code /} mounted
 * into it: there the programs must be the node's (its QEMU, its libraries, its /dev), not the
 * image's, so they start chrooted into it.
 *
 * <p>Only the spawner's thread changes root, and only around each start: its fs context is its own
 * (unshare CLONE_FS), so the JVM's other threads and the cgroup moves before a start keep the
 * agent's view.
 */
final class ProgramRoot {
    static final ProgramRoot OWN = new ProgramRoot(null, -1);

    /** The node's root as the agent sees it; null for the agent's own. */
    private final Path node;

    /** The spawner thread's own root, held open to come back to (an O_PATH descriptor). */
    private final int own;

    private ProgramRoot(Path node, int own) {
        this.node = node;
        this.own = own;
    }

    /** Call on the spawner's thread, whose root is the one to come back to. */
    static ProgramRoot of(Path node) throws ErrnoException {
        if (node.equals(Path.of("/"))) {
            return OWN;
        }
        if (!node.isAbsolute() || !java.nio.file.Files.isDirectory(node.resolve("usr"))) {
            throw new IllegalArgumentException("the node's root " + node
                    + " has no usr/ directory: mount the node's / there (a hostPath volume of /), or leave it at /");
        }
        int own = FileCalls.openat(Flags.AT_FDCWD, "/", Flags.O_PATH | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0);
        return new ProgramRoot(node, own);
    }

    boolean isOwn() {
        return node == null;
    }

    /** Enters the node's root (a no-op for the agent's own). Pair with {@link #leave}. */
    void enter() throws ErrnoException {
        if (node != null) {
            Spawn.chroot(node.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Back to the thread's own root, its working directory there being {@code /}. */
    void leave() throws ErrnoException {
        if (node != null) {
            Spawn.fchdir(own);
            Spawn.chroot(".".getBytes(StandardCharsets.UTF_8));
            Spawn.chdir("/".getBytes(StandardCharsets.UTF_8));
        }
    }

    void close() {
        if (own >= 0) {
            FileCalls.closeQuietly(own);
        }
    }
}
