package io.dpuoffload.exec.host;

import io.dpuoffload.exec.wire.ExecRequest;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Spawn;
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

    Spawner() throws ErrnoException {
        try {
            thread.submit(() -> {
                        Spawn.ownFsContext();
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
                        try {
                            Spawn.chdir(request.cwd());
                        } catch (ErrnoException e) {
                            throw new SpawnFailure(e, true);
                        }
                        Spawn.umask(request.umask());
                        java.util.concurrent.Callable<Integer> start = () -> Spawn.spawn(
                                request.program(),
                                request.argv().toArray(byte[][]::new),
                                request.environment().toArray(byte[][]::new),
                                stdio.childIn(),
                                stdio.childOut(),
                                stdio.childErr(),
                                stdio.terminal(),
                                targets,
                                sources);
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

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
