package io.dpuoffload.e2e.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The cgroup a containerd namespace's containers go in ({@code /NAMESPACE/ID}, with no cgroup parent given): runc
 * makes {@code /NAMESPACE} in each hierarchy and removes only the container's own. Removed after the test when it
 * made them and they are empty again, so that a machine that had none has none again; a machine's own, or one
 * that still holds a cgroup (another test's container), is left alone.
 */
public final class CgroupDirectories {

    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    private final List<Path> madeHere;

    private CgroupDirectories(List<Path> madeHere) {
        this.madeHere = madeHere;
    }

    /** Notes in which hierarchies NAME does not exist yet. */
    public static CgroupDirectories before(String name) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path hierarchy : hierarchies()) {
            Path dir = hierarchy.resolve(name);
            if (!Files.exists(dir)) {
                missing.add(dir);
            }
        }
        return new CgroupDirectories(missing);
    }

    /** Removes those the test made, if empty (a cgroup directory's files go with it). */
    public void removeMadeHere() {
        for (Path dir : madeHere) {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                System.err.println("left " + dir + ", which still holds a cgroup: " + e);
            }
        }
    }

    /** v2: the root alone; v1: each mounted hierarchy (cpu, memory, the named systemd one...). */
    private static List<Path> hierarchies() throws IOException {
        if (Files.exists(CGROUP_ROOT.resolve("cgroup.controllers"))) {
            return List.of(CGROUP_ROOT);
        }
        if (!Files.isDirectory(CGROUP_ROOT)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(CGROUP_ROOT)) {
            return children.filter(Files::isDirectory)
                    .filter(dir -> !Files.isSymbolicLink(dir))
                    .toList();
        }
    }
}
