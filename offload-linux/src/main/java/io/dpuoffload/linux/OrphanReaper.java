package io.dpuoffload.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reaps orphans: this process becomes a child subreaper, so a daemonized descendant of something
 * it started (a QEMU started with -daemonize, a probe libvirt kills by pid, a daemon's
 * double-forked child) becomes its child when its parent exits, and is reaped here when it ends,
 * rather than lingering as a zombie that a {@code kill(pid, 0)} would still find. Only zombies
 * the owner's predicate accepts, and seen in two looks in a row, are reaped: a child the JVM
 * itself waits for (a {@link Process}) is reaped by its own waiter the moment it ends.
 */
public final class OrphanReaper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OrphanReaper.class);
    /** A zombie costs nothing but a pid; a short look twice a second is plenty. */
    private static final Duration INTERVAL = Duration.ofMillis(200);

    private final IntPredicate reapable;
    private final Object spawning;
    private final Thread thread;
    private volatile boolean closed;
    /** Reapers open in this process: the last to close ends the subreaper role the first took. */
    private static int active;
    /** The zombies of the last look: one still there now has no waiter of its own. */
    private Set<Integer> lastZombies = Set.of();
    /** Every this many looks (5 s), all threads' lists twice, not only the main thread's: see {@link #children()}. */
    private static final int FULL_LOOK_EVERY = 25;

    private long looks;

    /** For {@link #readSmall}: a children list of a few hundred pids, or a stat line, fits. */
    private final java.lang.foreign.MemorySegment buffer =
            java.lang.foreign.Arena.ofAuto().allocate(8192);

    private OrphanReaper(IntPredicate reapable, Object spawning) {
        this.reapable = reapable;
        this.spawning = spawning;
        this.thread = Thread.ofPlatform().daemon().name("exec-orphan-reaper").start(this::loop);
    }

    /**
     * Starts reaping the children {@code reapable} accepts, each look holding {@code spawning}
     * (which an owner that starts children holds until it has recorded a new one as its own);
     * empty when this process cannot be a subreaper.
     */
    public static Optional<OrphanReaper> start(IntPredicate reapable, Object spawning) {
        try {
            synchronized (OrphanReaper.class) {
                if (active++ == 0) {
                    ProcessExits.becomeSubreaper();
                }
            }
            return Optional.of(new OrphanReaper(reapable, spawning));
        } catch (ErrnoException e) {
            synchronized (OrphanReaper.class) {
                active--;
            }
            log.warn("cannot become a subreaper ({}): daemonized descendants are reaped by init", e.getMessage());
            return Optional.empty();
        }
    }

    private void loop() {
        while (!closed) {
            try {
                Thread.sleep(INTERVAL.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            Set<Integer> zombies = new HashSet<>();
            synchronized (spawning) {
                for (int pid : children()) {
                    if (!isZombie(pid)) {
                        continue;
                    }
                    zombies.add(pid);
                    if (lastZombies.contains(pid) && reapable.test(pid) && ProcessExits.reapIfExited(pid)) {
                        zombies.remove(pid);
                        log.debug("reaped pid {}, an orphan", pid);
                    }
                }
            }
            lastZombies = zombies;
        }
    }

    /**
     * Our children now that may be orphans. The kernel hands an orphan to the subreaper's first live
     * thread, its main thread while that lives (a JVM's does, waiting for the program's end), so
     * most looks read that one list: a JVM has dozens of threads, and reading every one's list five
     * times a second was most of an idle agent's CPU. Two looks in a row every {@link
     * #FULL_LOOK_EVERY} read all of them (orphans adopted by another thread, should the main one be
     * gone): two, as a zombie is reaped only when seen in two looks in a row.
     */
    private List<Integer> children() {
        List<Integer> found = new ArrayList<>();
        if (looks++ % FULL_LOOK_EVERY >= 2) {
            addChildren(MAIN_THREAD_CHILDREN, found);
            return found;
        }
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                addChildren(task.resolve("children").toString(), found);
            }
        } catch (IOException e) {
            // /proc unreadable: nothing to do this round
        }
        return found;
    }

    private static final String MAIN_THREAD_CHILDREN =
            "/proc/self/task/" + ProcessHandle.current().pid() + "/children";

    private void addChildren(String childrenFile, List<Integer> found) {
        String children = readSmall(childrenFile).strip();
        if (!children.isEmpty()) {
            for (String child : children.split(" ")) {
                found.add(Integer.parseInt(child));
            }
        }
    }

    private boolean isZombie(int pid) {
        String stat = readSmall("/proc/" + pid + "/stat");
        int end = stat.lastIndexOf(')');
        return end > 0 && stat.startsWith("Z", end + 2);
    }

    /**
     * A small /proc file, read into this reaper's own buffer ("" when it is gone or unreadable): the
     * reaper reads a few five times a second for as long as the process lives, so not through
     * java.nio's file channels and the objects each read makes.
     */
    private String readSmall(String path) {
        int fd;
        try {
            fd = FileCalls.openat(Flags.AT_FDCWD, path, Flags.O_RDONLY | Flags.O_CLOEXEC, 0);
        } catch (ErrnoException e) {
            return ""; // the thread or the process ended
        }
        try {
            int n = FileCalls.read(fd, buffer);
            if (n == buffer.byteSize()) { // more than the buffer holds (a thousand children): the slow way
                return Files.readString(Path.of(path), java.nio.charset.StandardCharsets.ISO_8859_1);
            }
            return new String(
                    buffer.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                    java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException e) { // an ErrnoException included
            return "";
        } finally {
            FileCalls.closeQuietly(fd);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        thread.interrupt();
        synchronized (OrphanReaper.class) {
            if (--active == 0) {
                try {
                    // Whatever this process lives on with (a test JVM, say) must not collect others' orphans.
                    ProcessExits.stopBeingSubreaper();
                } catch (ErrnoException e) {
                    log.warn("cannot stop being a subreaper: {}", e.getMessage());
                }
            }
        }
    }
}
