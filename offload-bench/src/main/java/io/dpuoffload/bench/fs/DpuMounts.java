package io.dpuoffload.bench.fs;

import io.dpuoffload.bench.ChildProcess;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Mounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DPU node's five mounts, all in the DPU side's own mount namespace so that its measuring JVM sees them: a tmpfs,
 * sshfs of the host's exported directory and of its /proc, and {@code fs mount} of the data and proc exports. sshfs
 * and {@code fs mount} run as child processes, as a user runs them. {@link #close()} stops them by pid (each unmounts
 * on SIGTERM), then detaches whatever is left.
 */
final class DpuMounts implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DpuMounts.class);

    /** What each file system's rows work on. */
    record Target(FsKind fs, Path workDir, Optional<Path> procStat, String procSource) {}

    /** sshfs connects and mounts in well under a second; a JVM with TLS in a few. */
    static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(60);

    /** {@code fs mount} unmounts and exits within its own 10 s grace; sshfs at once. */
    static final Duration STOP_GRACE = Duration.ofSeconds(10);

    /** Room beside the data file for the small files and the listed directory. */
    static final long TMPFS_HEADROOM = 256L << 20;

    private static final Duration MOUNT_POLL = Duration.ofMillis(50);

    private final Deque<AutoCloseable> undo = new ArrayDeque<>();
    private final Map<FsKind, Target> targets = new EnumMap<>(FsKind.class);
    private volatile boolean closed;

    /**
     * Mounts everything for a run that writes files of {@code bytes}, with {@code procPid} a host process that does
     * not exist on the DPU. On failure the caller's {@link #close()} undoes what was mounted.
     */
    void mountAll(BenchLayout layout, long bytes, long procPid, Optional<String> cipher) throws Exception {
        if (closed) {
            throw new IllegalStateException("stopping: not mounting anything");
        }
        Path localProc = Path.of("/proc");
        String pidStat = procPid + "/stat";
        if (Files.exists(localProc.resolve(Long.toString(procPid)))) {
            throw new IllegalStateException("pid " + procPid + " exists on the DPU node too, so offload-fs's proc view"
                    + " would answer it locally; the host side should have started its processes above the DPU's pids");
        }

        Mounts.mount(
                "fs-bench",
                layout.dpuTmpfs().toString(),
                "tmpfs",
                Mounts.MS_NOSUID | Mounts.MS_NODEV,
                "size=" + (bytes + TMPFS_HEADROOM) + ",mode=0755");
        pushUndo(() -> detach(layout.dpuTmpfs()));
        Path ownStat = localProc.resolve(ProcessHandle.current().pid() + "/stat");
        add(new Target(
                FsKind.TMPFS,
                Files.createDirectories(layout.dpuTmpfs().resolve("bench")),
                Optional.of(ownStat),
                "the DPU's own " + ownStat));

        sshfs(layout, layout.export().toString(), layout.dpuSshfs(), cipher, false);
        sshfs(layout, "/proc", layout.dpuSshfsProc(), cipher, true);
        Path sshfsStat = layout.dpuSshfsProc().resolve(pidStat);
        add(new Target(
                FsKind.SSHFS,
                Files.createDirectories(layout.dpuSshfs().resolve("sshfs")),
                readable(sshfsStat),
                "the host's /proc/" + pidStat + " through sshfs -o direct_io"));

        offloadMount(layout, OffloadFsSetup.DATA_EXPORT, layout.dpuOffload(), localProc);
        offloadMount(layout, OffloadFsSetup.PROC_EXPORT, layout.dpuOffloadProc(), localProc);
        Path offloadStat = layout.dpuOffloadProc().resolve(pidStat);
        add(new Target(
                FsKind.OFFLOAD_FS,
                Files.createDirectories(layout.dpuOffload().resolve("offload-fs")),
                readable(offloadStat),
                "the host's /proc/" + pidStat + " through the proc export (procView)"));
    }

    List<Target> targets() {
        return List.copyOf(targets.values());
    }

    /** Remembers how to undo a step just done; undoes it at once if {@link #close()} ran meanwhile. */
    private void pushUndo(AutoCloseable step) throws Exception {
        synchronized (undo) {
            if (!closed) {
                undo.push(step);
                return;
            }
        }
        step.close();
        throw new IllegalStateException("stopping: not mounting anything more");
    }

    private void add(Target target) {
        targets.put(target.fs(), target);
    }

    private void sshfs(BenchLayout layout, String remote, Path mountpoint, Optional<String> cipher, boolean directIo)
            throws Exception {
        ChildProcess sshfs = ChildProcess.start(
                "sshfs " + remote, SshSetup.sshfsCommand(layout, remote, mountpoint, cipher, directIo), Map.of());
        pushUndo(() -> {
            sshfs.stop(STOP_GRACE);
            detach(mountpoint);
        });
        awaitMounted(mountpoint, sshfs);
    }

    private void offloadMount(BenchLayout layout, String export, Path mountpoint, Path localProc) throws Exception {
        ChildProcess mount = ChildProcess.offloadctl(
                "fs mount " + export,
                OffloadFsSetup.mountArgs(layout, export, mountpoint, localProc),
                Map.of("OFFLOADCTL_RUN_DIR", layout.runDirectory().toString()));
        pushUndo(() -> {
            mount.stop(STOP_GRACE);
            detach(mountpoint);
        });
        mount.awaitLine(Pattern.compile("^MOUNTED "), MOUNT_TIMEOUT);
    }

    /** sshfs -f prints nothing when it has mounted: watch the mount table instead. */
    private static void awaitMounted(Path mountpoint, ChildProcess process) throws Exception {
        long deadline = System.nanoTime() + MOUNT_TIMEOUT.toNanos();
        while (!isFuseMount(mountpoint)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        process + " ended without mounting " + mountpoint + "; its output:\n" + process.tail());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(process + " did not mount " + mountpoint + " within "
                        + MOUNT_TIMEOUT.toSeconds() + " s; its output:\n" + process.tail());
            }
            Thread.sleep(MOUNT_POLL.toMillis());
        }
    }

    /** True when /proc/self/mountinfo lists a FUSE file system mounted on {@code mountpoint}. */
    static boolean isFuseMount(Path mountpoint) throws IOException {
        String where = mountpoint.toAbsolutePath().normalize().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            int separator = List.of(fields).indexOf("-");
            if (fields.length > 4
                    && fields[4].equals(where)
                    && separator > 0
                    && separator + 1 < fields.length
                    && fields[separator + 1].startsWith("fuse")) {
                return true;
            }
        }
        return false;
    }

    /** The file if it reads as something; empty (the row shows n/a) if it cannot be read or reads as empty. */
    private static Optional<Path> readable(Path file) {
        try {
            long bytes = new Workloads().readWhole(file);
            if (bytes > 0) {
                return Optional.of(file);
            }
            log.warn("{} reads as empty; its row is left out", file);
        } catch (IOException e) {
            log.warn("{} cannot be read ({}); its row is left out", file, e.toString());
        }
        return Optional.empty();
    }

    private static void detach(Path mountpoint) {
        try {
            Mounts.umount2(mountpoint.toString(), Mounts.MNT_DETACH);
            log.info("detached {}", mountpoint);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EINVAL) { // EINVAL: not mounted (any more), as it should be
                log.warn("unmounting {} failed: {}", mountpoint, e.getMessage());
            }
        }
    }

    private AutoCloseable nextUndo() {
        synchronized (undo) {
            return undo.poll();
        }
    }

    /** Stops sshfs and fs mount by pid, and unmounts everything, in the reverse order of mounting. */
    @Override
    public void close() {
        synchronized (undo) {
            closed = true;
        }
        List<Exception> failures = new ArrayList<>();
        for (AutoCloseable step = nextUndo(); step != null; step = nextUndo()) {
            try {
                step.close();
            } catch (Exception e) {
                failures.add(e);
            }
        }
        failures.forEach(e -> log.warn("cleaning up the DPU's mounts: {}", e.getMessage()));
    }
}
