package io.dpuoffload.e2e.kube;

import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Mounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * A node's {@code /} as the DaemonSet's pod sees it at {@code /host}: here a directory with this
 * machine's system bound into it and an {@code /opt} of its own, so that what only the node has
 * (a daemon, a host program) is not in the agent's own {@code /}. An agent that took them from
 * its own root would find nothing there.
 *
 * <p>Build it outside every directory it binds (not under /var: binding /var under itself
 * multiplies mounts), and close it before removing anything around it: a bind of the same file
 * system has the same device number, so a recursive delete would not stop at it.
 */
final class NodeRoot implements AutoCloseable {
    /** This machine's directories the node shows as its own (bound, submounts included). */
    private static final List<String> SYSTEM = List.of("usr", "etc", "var", "srv", "root", "home", "dev", "proc");

    private final Path path;
    private final List<Path> mounted = new ArrayList<>();

    private NodeRoot(Path path) {
        this.path = path;
    }

    static NodeRoot build(Path path) throws IOException, ErrnoException {
        NodeRoot node = new NodeRoot(Files.createDirectories(path));
        try {
            for (String name : SYSTEM) {
                Path target = Files.createDirectories(path.resolve(name));
                Mounts.mount("/" + name, target.toString(), null, Mounts.MS_BIND | Mounts.MS_REC, null);
                node.mounted.add(target);
                // no events to or from the machine's mounts; namespaces made later still copy them
                Mounts.mount(null, target.toString(), null, Mounts.MS_PRIVATE | Mounts.MS_REC, null);
            }
            for (String link : List.of("bin", "sbin", "lib", "lib64")) {
                Path own = Path.of("/", link);
                if (Files.isSymbolicLink(own)) { // merged /usr: the links point into it
                    Files.createSymbolicLink(path.resolve(link), Files.readSymbolicLink(own));
                }
            }
            Files.createDirectories(path.resolve("opt"));
            return node;
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
    }

    Path path() {
        return path;
    }

    /** Writes an executable script at {@code absolute} (under /opt) in this node's root only. */
    Path script(String absolute, String body) throws IOException {
        Path file = path.resolve(absolute.substring(1));
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /** Unmounts, then removes what it made, entry by entry: a directory still mounted is not empty and stays. */
    @Override
    public void close() {
        for (Path target : mounted.reversed()) {
            try {
                Mounts.umount2(target.toString(), Mounts.MNT_DETACH);
            } catch (ErrnoException e) {
                System.err.println("cannot unmount " + target + ": " + e.getMessage());
            }
        }
        mounted.clear();
        try {
            for (String name : SYSTEM) {
                Files.deleteIfExists(path.resolve(name)); // empty once unmounted; refused otherwise
            }
            for (String link : List.of("bin", "sbin", "lib", "lib64")) {
                Files.deleteIfExists(path.resolve(link));
            }
            if (Files.exists(path.resolve("opt"))) {
                io.dpuoffload.cli.WorkDirectory.delete(path.resolve("opt"));
            }
            Files.deleteIfExists(path);
        } catch (IOException | java.io.UncheckedIOException e) {
            System.err.println("left " + path + " behind: " + e.getMessage());
        }
    }
}
