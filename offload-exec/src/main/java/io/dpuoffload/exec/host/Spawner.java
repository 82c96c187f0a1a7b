package io.dpuoffload.exec.host;

import io.dpuoffload.exec.wire.ExecRequest;
import io.dpuoffload.linux.CgroupSpawn;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Spawn;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Starts programs from one platform thread with a file-system context of its own (unshare
 * CLONE_FS), so each request's working directory and umask can be set there and inherited by the
 * child exactly, without touching the rest of the JVM.
 */
final class Spawner implements AutoCloseable {
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("exec-spawner").daemon().factory());

    /** Where programs start; set on the spawner's thread, read there only. */
    private ProgramRoot root = ProgramRoot.OWN;

    /**
     * Starts programs born in their run's cgroup ({@link CgroupSpawn}); null when this machine
     * cannot, and then the spawner moves this whole process into the run's cgroup and back around
     * each start ({@link RunCgroups.Prepared#spawnInside}), which costs an RCU grace period, 10 ms
     * and more on a small VM. On the spawner's thread only, once made.
     */
    private CgroupSpawn bornInCgroup;

    Spawner() throws ErrnoException {
        try {
            thread.submit(() -> {
                        Spawn.ownFsContext();
                        bornInCgroup = CgroupSpawnHelper.load().orElse(null);
                        return null;
                    })
                    .get();
        } catch (ExecutionException | InterruptedException e) {
            thread.shutdownNow();
            if (e.getCause() instanceof ErrnoException errno) {
                throw errno;
            }
            throw new IllegalStateException("cannot prepare the spawner thread", e);
        }
    }

    /** Programs start chrooted into {@code node} from now on (see {@link ProgramRoot}). */
    void startProgramsIn(Path node) throws ErrnoException {
        try {
            thread.submit(() -> {
                        ProgramRoot previous = root;
                        root = ProgramRoot.of(node);
                        previous.close();
                        return null;
                    })
                    .get();
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case ErrnoException errno -> throw errno;
                case RuntimeException runtime -> throw runtime;
                default -> throw new IllegalStateException("cannot use " + node + " as the programs' root", e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting the programs' root", e);
        }
    }

    /** The failure of a start, and which step failed (the working directory, or exec itself). */
    static final class SpawnFailure extends Exception {
        final ErrnoException cause;
        final boolean inChdir;

        SpawnFailure(ErrnoException cause, boolean inChdir) {
            super(cause.getMessage(), cause);
            this.cause = cause;
            this.inChdir = inChdir;
        }
    }

    /** Starts the program, born in {@code cgroup} if there is one. */
    int spawn(
            ExecRequest request,
            RunStdio stdio,
            java.util.Optional<RunCgroups.Prepared> cgroup,
            int[] targets,
            int[] fds)
            throws SpawnFailure, InterruptedException {
        int[] sources;
        try {
            sources = aboveAll(targets, fds);
        } catch (ErrnoException e) {
            throw new SpawnFailure(e, false);
        }
        try {
            return spawnWith(request, stdio, cgroup, targets, sources);
        } finally {
            for (int source : sources) {
                FileCalls.closeQuietly(source);
            }
        }
    }

    /** Copies of {@code fds} numbered above every target, so no dup2 in the child overwrites one still needed. */
    private static int[] aboveAll(int[] targets, int[] fds) throws ErrnoException {
        int highest = 2;
        for (int target : targets) {
            highest = Math.max(highest, target);
        }
        int[] copies = new int[fds.length];
        int made = 0;
        try {
            for (; made < fds.length; made++) {
                copies[made] = FileCalls.fcntl(fds[made], Flags.F_DUPFD_CLOEXEC, highest + 1);
            }
            return copies;
        } catch (ErrnoException e) {
            for (int i = 0; i < made; i++) {
                FileCalls.closeQuietly(copies[i]);
            }
            throw e;
        }
    }

    private int spawnWith(
            ExecRequest request,
            RunStdio stdio,
            java.util.Optional<RunCgroups.Prepared> cgroup,
            int[] targets,
            int[] sources)
            throws SpawnFailure, InterruptedException {
        try {
            return thread.submit(() -> {
                        Spawn.umask(request.umask());
                        if (cgroup.isPresent() && bornInCgroup != null) {
                            try {
                                return startBornIn(cgroup.get().group(), request, stdio, targets, sources);
                            } catch (CgroupSpawn.Unavailable e) {
                                CgroupSpawnHelper.giveUp(e);
                                bornInCgroup.close();
                                bornInCgroup = null;
                            }
                        }
                        java.util.concurrent.Callable<Integer> start =
                                () -> startInRoot(request, stdio, targets, sources);
                        try {
                            return cgroup.isPresent() ? cgroup.get().spawnInside(start) : start.call();
                        } catch (ErrnoException e) {
                            throw new SpawnFailure(e, false);
                        }
                    })
                    .get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SpawnFailure failure) {
                throw failure;
            }
            throw new IllegalStateException("spawning " + request.programName() + " failed", e.getCause());
        }
    }

    /**
     * In the programs' root: the request's working directory (resolved there), then the start. The
     * terminal is opened by the child through our descriptor for it, as the node's /dev/pts is not
     * the one our pty lives in when the root is the node's.
     */
    private int startInRoot(ExecRequest request, RunStdio stdio, int[] targets, int[] sources)
            throws ErrnoException, SpawnFailure {
        int terminal = -1;
        byte[] terminalPath = stdio.terminal();
        if (terminalPath != null && !root.isOwn()) {
            terminal =
                    FileCalls.openat(Flags.AT_FDCWD, terminalPath, Flags.O_RDWR | Flags.O_NOCTTY | Flags.O_CLOEXEC, 0);
            terminalPath = ("/proc/self/fd/" + terminal).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        try {
            final byte[] path = terminalPath;
            return inRoot(
                    request,
                    () -> Spawn.spawn(
                            request.program(),
                            request.argv().toArray(byte[][]::new),
                            request.environment().toArray(byte[][]::new),
                            stdio.childIn(),
                            stdio.childOut(),
                            stdio.childErr(),
                            path,
                            targets,
                            sources));
        } finally {
            if (terminal >= 0) {
                FileCalls.closeQuietly(terminal);
            }
        }
    }

    /** A start, made in the programs' root; {@code X}, what else than an errno it may fail with. */
    @FunctionalInterface
    private interface Start<X extends Exception> {
        int start() throws ErrnoException, X;
    }

    /** In the programs' root: the request's working directory (resolved there), then {@code start}. */
    private <X extends Exception> int inRoot(ExecRequest request, Start<X> start)
            throws ErrnoException, SpawnFailure, X {
        root.enter();
        try {
            try {
                Spawn.chdir(request.cwd());
            } catch (ErrnoException e) {
                throw new SpawnFailure(e, true);
            }
            try {
                return start.start();
            } catch (ErrnoException e) {
                throw new SpawnFailure(e, false);
            }
        } finally {
            root.leave();
        }
    }

    /** Whether programs start born in their run's cgroup (no process moved), as they do from Linux 5.7. */
    boolean startsBornInCgroups() throws InterruptedException, ExecutionException {
        return thread.submit(() -> bornInCgroup != null).get();
    }

    /**
     * As {@link #startInRoot}, the program born in {@code group} by the helper: the cgroup and the
     * terminal are opened here first, as the programs' root may not see them.
     */
    private int startBornIn(Path group, ExecRequest request, RunStdio stdio, int[] targets, int[] sources)
            throws ErrnoException, SpawnFailure, CgroupSpawn.Unavailable {
        int cgroupDir = FileCalls.openat(
                Flags.AT_FDCWD, group.toString(), Flags.O_RDONLY | Flags.O_DIRECTORY | Flags.O_CLOEXEC, 0);
        int terminal = -1;
        try {
            if (stdio.terminal() != null) {
                terminal = FileCalls.openat(
                        Flags.AT_FDCWD, stdio.terminal(), Flags.O_RDWR | Flags.O_NOCTTY | Flags.O_CLOEXEC, 0);
            }
            final int tty = terminal;
            return inRoot(
                    request,
                    () -> bornInCgroup.spawn(
                            cgroupDir,
                            request.program(),
                            request.argv().toArray(byte[][]::new),
                            request.environment().toArray(byte[][]::new),
                            stdio.childIn(),
                            stdio.childOut(),
                            stdio.childErr(),
                            tty,
                            targets,
                            sources));
        } finally {
            FileCalls.closeQuietly(cgroupDir);
            if (terminal >= 0) {
                FileCalls.closeQuietly(terminal);
            }
        }
    }

    @Override
    public void close() {
        thread.execute(() -> {
            if (bornInCgroup != null) {
                bornInCgroup.close();
            }
        });
        thread.execute(() -> root.close()); // its descriptor of the thread's own root, if it holds one
        thread.shutdown(); // a start in progress ends by itself: posix_spawn does not wait for the program
    }
}
