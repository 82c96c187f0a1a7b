package io.dpuoffload.exec.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cgroup (v2) per run, under the exec server's own cgroup: it follows every descendant of the
 * program, including those that leave its session or process group to daemonize (`qemu
 * -daemonize`), so they can be listed and killed together ({@code cgroup.kill}, Linux 5.14).
 * Without a writable cgroup v2 hierarchy, runs fall back to their process group (with one warning).
 */
final class RunCgroups {
    private static final Logger log = LoggerFactory.getLogger(RunCgroups.class);

    private final Path base; // null: not available
    /** JVM-wide: several servers in one JVM (tests, a node agent serving two DPUs) must not share names. */
    private static final AtomicLong counter = new AtomicLong();
    /**
     * This JVM's part of the names: the hierarchy is the machine's, shared by servers in other PID
     * namespaces, where our pid (often 1) means nothing; a random tag keeps their names apart.
     */
    private static final String INSTANCE =
            Long.toHexString(new java.security.SecureRandom().nextLong() & Long.MAX_VALUE);

    private final java.util.Set<Path> made = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final boolean ownHierarchy;

    /** Where the cgroup2 hierarchy is mounted (null: not available). */
    private final Path hierarchy;

    private RunCgroups(Path hierarchy, Path base, boolean ownHierarchy) {
        this.hierarchy = hierarchy;
        this.base = base;
        this.ownHierarchy = ownHierarchy;
    }

    /**
     * The cgroup v2 hierarchy mounted by us where the machine mounts none (a cgroup v1 host): it
     * needs no controller to follow processes or to kill them all, and every process is in it from
     * boot. Shared by the servers of this JVM; the last to close unmounts it (runs still in it go
     * on, out of sight). Each JVM mounts its own, at a path of its own: with one path for all, the
     * last server of one JVM unmounted it under the runs of another's (exec servers started side by
     * side on one machine, as the tests and benchmarks do).
     */
    private static final class OwnHierarchy {
        private static final Path MOUNT = Path.of("/run/dpu-offload/exec-cgroup2-" + INSTANCE);
        private static int users;

        static synchronized Path acquire() throws IOException {
            if (users == 0) {
                Files.createDirectories(MOUNT);
                try {
                    io.dpuoffload.linux.Mounts.mount("dpuo-exec", MOUNT.toString(), "cgroup2", 0, "");
                } catch (io.dpuoffload.linux.ErrnoException e) {
                    throw new IOException("no cgroup2 file system is mounted, and mounting one at " + MOUNT
                            + " failed: " + e.getMessage());
                }
            }
            users++;
            return MOUNT;
        }

        static synchronized void release() {
            if (--users == 0) {
                try {
                    io.dpuoffload.linux.Mounts.umount2(MOUNT.toString(), io.dpuoffload.linux.Mounts.MNT_DETACH);
                    Files.deleteIfExists(MOUNT);
                } catch (IOException e) { // ErrnoException included
                    log.warn("cannot unmount our cgroup2 hierarchy at {}: {}", MOUNT, e.getMessage());
                }
            }
        }
    }

    static RunCgroups discover() {
        try {
            Optional<Path> mounted = cgroup2Mount();
            Path mount = mounted.isPresent() ? mounted.get() : OwnHierarchy.acquire();
            String own = Files.readAllLines(Path.of("/proc/self/cgroup")).stream()
                    .filter(line -> line.startsWith("0::"))
                    .map(line -> line.substring(3))
                    .findFirst()
                    .orElseThrow(() -> new IOException("this process has no cgroup v2 path"));
            Path base = mount.resolve(own.substring(1));
            Path probe = Files.createDirectory(
                    base.resolve("dpuo-exec-probe-" + ProcessHandle.current().pid()));
            Files.delete(probe);
            return new RunCgroups(mount, base, mounted.isEmpty());
        } catch (IOException | RuntimeException e) {
            log.warn(
                    "no cgroup per run ({}); a program's descendants that leave its process group are not "
                            + "followed or killed with it",
                    e.getMessage());
            return new RunCgroups(null, null, false);
        }
    }

    private static Optional<Path> cgroup2Mount() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] halves = line.split(" - ", 2);
            if (halves.length == 2 && halves[1].startsWith("cgroup2 ")) {
                return Optional.of(Path.of(halves[0].split(" ")[4]));
            }
        }
        return Optional.empty();
    }

    /** Whether {@code pid} is in one of the run cgroups this server made. */
    boolean owns(int pid) {
        if (base == null) {
            return false;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "cgroup"))) {
                if (line.startsWith("0::")) {
                    Path group = hierarchy.resolve(line.substring(4));
                    return made.contains(group) || made.contains(group.getParent());
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return false;
    }

    boolean available() {
        return base != null;
    }

    /** A new, empty cgroup for the next run, or empty when cgroups are not available. */
    Optional<Prepared> prepare() {
        if (base == null) {
            return Optional.empty();
        }
        Path group = base.resolve("dpuo-exec-" + INSTANCE + "-" + counter.incrementAndGet());
        try {
            Files.createDirectory(group);
            made.add(group);
            return Optional.of(new Prepared(group, base));
        } catch (IOException e) {
            // not removed: an existing directory of that name is someone else's
            log.warn("cannot make a cgroup for a run: {}: {}", group, e);
            return Optional.empty();
        }
    }

    /** A cgroup made for one run, and the server's own, to come back to. */
    record Prepared(Path group, Path home) {
        /**
         * Runs {@code spawn} with this whole process moved into the run's cgroup, so the child is
         * born there, before it can fork; then moves back. (Moving the child afterwards would race
         * with a program that forks at once; glibc 2.41's posix_spawn can name a cgroup instead.)
         * Another thread of ours that forks in these microseconds lands in the run's cgroup too.
         */
        int spawnInside(java.util.concurrent.Callable<Integer> spawn) throws Exception {
            String self = Long.toString(ProcessHandle.current().pid());
            try {
                Files.writeString(group.resolve("cgroup.procs"), self);
            } catch (IOException e) {
                log.warn(
                        "cannot start a run in its cgroup ({}); its descendants are followed by process group only",
                        e.getMessage());
                return spawn.call();
            }
            try {
                return spawn.call();
            } finally {
                Files.writeString(home.resolve("cgroup.procs"), self);
            }
        }

        void abandon() {
            remove(group);
        }
    }

    /** Every descendant of {@code pid} alive now, from /proc's children lists. */
    static List<Integer> descendants(int pid) {
        List<Integer> found = new java.util.ArrayList<>();
        java.util.ArrayDeque<Integer> todo = new java.util.ArrayDeque<>(List.of(pid));
        while (!todo.isEmpty()) {
            int parent = todo.poll();
            try (var tasks = Files.list(Path.of("/proc", Integer.toString(parent), "task"))) {
                for (Path task : tasks.toList()) {
                    String children = Files.readString(task.resolve("children")).strip();
                    if (!children.isEmpty()) {
                        for (String child : children.split(" ")) {
                            found.add(Integer.parseInt(child));
                            todo.add(Integer.parseInt(child));
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // it exited meanwhile
            }
        }
        return found;
    }

    /** The host pids in {@code group} now. */
    static List<Integer> pids(Path group) {
        try {
            return Files.readAllLines(group.resolve("cgroup.procs")).stream()
                    .filter(line -> !line.isBlank())
                    .map(Integer::parseInt)
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Kills every process in {@code group}. */
    static void kill(Path group) {
        try {
            Files.writeString(group.resolve("cgroup.kill"), "1");
        } catch (IOException e) {
            for (int pid : pids(group)) {
                io.dpuoffload.linux.ProcessExits.kill(pid, 9);
            }
        }
    }

    /**
     * Removes the cgroups this server made that are empty by now (within a second); the others hold
     * descendants that still run, and stay for whoever stops them.
     */
    void close() {
        removeEmpty();
        if (ownHierarchy) {
            OwnHierarchy.release();
        }
    }

    private void removeEmpty() {
        long deadline = System.nanoTime() + 1_000_000_000L;
        for (Path group : made) {
            while (!remove(group) && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Removes {@code group} once it is empty; true when it is gone. */
    static boolean remove(Path group) {
        try {
            Files.deleteIfExists(group);
            return true;
        } catch (IOException e) {
            return false; // still populated
        }
    }
}
