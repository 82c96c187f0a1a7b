package io.dpuoffload.exec.host;

import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.ProcessExits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reaps what the runs leave: the server is a child subreaper, so a daemonized descendant of a run
 * (a QEMU started with -daemonize, a probe libvirt kills by pid) becomes our child when its parent
 * exits, and is reaped here when it ends, rather than lingering as a zombie that a DPU-side
 * {@code kill(pid, 0)} would still find. Only children in our runs' cgroups and not run programs
 * (each of which its own run waits for) are reaped, so no other child of this JVM is touched.
 */
final class OrphanReaper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OrphanReaper.class);
    /** A zombie costs nothing but a pid; a short look twice a second is plenty. */
    private static final Duration INTERVAL = Duration.ofMillis(200);

    private final IntPredicate reapable;
    private final Object spawning;
    private final Thread thread;
    private volatile boolean closed;

    private OrphanReaper(IntPredicate reapable, Object spawning) {
        this.reapable = reapable;
        this.spawning = spawning;
        this.thread = Thread.ofPlatform().daemon().name("exec-orphan-reaper").start(this::loop);
    }

    /**
     * Starts reaping the children {@code reapable} accepts, each look holding {@code spawning} (which
     * the server holds from a spawn until it has recorded the new program as one of its runs');
     * empty when this process cannot be a subreaper.
     */
    static java.util.Optional<OrphanReaper> start(IntPredicate reapable, Object spawning) {
        try {
            ProcessExits.becomeSubreaper();
            return java.util.Optional.of(new OrphanReaper(reapable, spawning));
        } catch (ErrnoException e) {
            log.warn(
                    "cannot become a subreaper ({}): daemonized descendants of runs are reaped by init",
                    e.getMessage());
            return java.util.Optional.empty();
        }
    }

    private void loop() {
        while (!closed) {
            try {
                Thread.sleep(INTERVAL.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            synchronized (spawning) {
                for (int pid : children()) {
                    if (isZombie(pid) && reapable.test(pid) && ProcessExits.reapIfExited(pid)) {
                        log.debug("reaped pid {}, an orphan of a run", pid);
                    }
                }
            }
        }
    }

    /** Our children now, from each thread's children list (orphans are adopted by the process, via any thread). */
    private static java.util.List<Integer> children() {
        java.util.List<Integer> found = new java.util.ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String children = Files.readString(task.resolve("children")).strip();
                    if (!children.isEmpty()) {
                        for (String child : children.split(" ")) {
                            found.add(Integer.parseInt(child));
                        }
                    }
                } catch (IOException e) {
                    // the thread ended
                }
            }
        } catch (IOException e) {
            // /proc unreadable: nothing to do this round
        }
        return found;
    }

    private static boolean isZombie(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
