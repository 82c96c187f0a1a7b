package io.dpuoffload.agent.host;

import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Mounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's directories a host agent in a pod serves, shown at their own paths in the pod. The
 * DaemonSet mounts the node's {@code /} into the pod; binding each served directory from there over
 * the same path in the pod's own file system makes the pod's view of them the node's, so offload-fs,
 * offload-ipc and the files offload-exec opens again all work on node paths unchanged, for any
 * profile, with no hostPath volume per directory.
 *
 * <p>The binds are made in the pod's mount namespace and end with it; they are slaves, so mounts
 * the node makes under them show, and nothing made here reaches the node. The kernel's file systems
 * ({@code /proc}, {@code /sys}, {@code /dev}) are left alone: a host agent's pod has the node's
 * already (hostPID, privileged). A directory the node does not have yet is made there, as a
 * hostPath volume of type DirectoryOrCreate would.
 */
public final class NodeDirectories {
    private static final Logger log = LoggerFactory.getLogger(NodeDirectories.class);

    private static final List<Path> KERNEL = List.of(Path.of("/proc"), Path.of("/sys"), Path.of("/dev"));

    private NodeDirectories() {}

    /**
     * Shows {@code directories} (absolute node paths) from {@code nodeRoot} at the same paths under
     * {@code agentRoot} ({@code /} but in tests). Idempotent: one already shown is left as it is.
     *
     * @return the directories bound now
     */
    public static List<Path> show(Path nodeRoot, Path agentRoot, Collection<Path> directories)
            throws IOException, ErrnoException {
        List<Path> bound = new ArrayList<>();
        for (Path directory : outermost(directories)) {
            Path source = under(nodeRoot, directory);
            Path target = under(agentRoot, directory);
            Files.createDirectories(source);
            Files.createDirectories(target);
            if (sameDirectory(source, target)) {
                continue; // shown already: a bind made before, or a hostPath volume at that path
            }
            Mounts.mount(source.toString(), target.toString(), null, Mounts.MS_BIND | Mounts.MS_REC, null);
            Mounts.mount(null, target.toString(), null, Mounts.MS_SLAVE | Mounts.MS_REC, null);
            log.info("the node's {} shown at {} in this pod", directory, target);
            bound.add(target);
        }
        return bound;
    }

    /** The directories to bind: each outside the kernel's file systems and under no other one. */
    static List<Path> outermost(Collection<Path> directories) {
        List<Path> sorted = directories.stream()
                .map(Path::normalize)
                .filter(directory -> {
                    if (!directory.isAbsolute()) {
                        throw new IllegalArgumentException("a node directory must be absolute: " + directory);
                    }
                    if (directory.getNameCount() == 0) {
                        throw new IllegalArgumentException("an agent in a pod cannot serve the node's / itself"
                                + " (it would hide the pod's own files): share the directories under it instead");
                    }
                    return KERNEL.stream().noneMatch(directory::startsWith);
                })
                .distinct()
                .sorted(Comparator.comparingInt(Path::getNameCount))
                .toList();
        List<Path> outermost = new ArrayList<>();
        for (Path directory : sorted) {
            if (outermost.stream().noneMatch(directory::startsWith)) {
                outermost.add(directory);
            }
        }
        return outermost;
    }

    private static Path under(Path root, Path absolute) {
        return root.resolve(absolute.toString().substring(1));
    }

    private static boolean sameDirectory(Path a, Path b) throws IOException {
        return Files.getAttribute(a, "unix:dev").equals(Files.getAttribute(b, "unix:dev"))
                && Files.getAttribute(a, "unix:ino").equals(Files.getAttribute(b, "unix:ino"));
    }
}
