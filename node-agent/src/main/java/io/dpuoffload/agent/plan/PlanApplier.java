package io.dpuoffload.agent.plan;

import io.dpuoffload.api.status.MountPhase;
import io.dpuoffload.exec.gateway.RexecBinary;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Mounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a {@link MountPlan} in order and undoes it in reverse. A step whose mount point is already
 * a mount (left by an earlier run of the agent) is adopted, not mounted twice; mount points and
 * placeholders it has to create are remembered and removed again.
 * The offload-fs mounts are made by {@link Shares}, since they are served by this process.
 */
public final class PlanApplier {
    private static final Logger log = LoggerFactory.getLogger(PlanApplier.class);

    /** Mounts a host directory through offload-fs; the handle unmounts it. */
    public interface Shares {
        AutoCloseable mount(MountStep.Share step) throws Exception;
    }

    /** The source of the agent's tmpfs mounts, by which it knows its own. */
    private static final String TMPFS_SOURCE = "dpuoffload";

    private final MountPlan plan;
    private final Shares shares;
    private final MountSystem mounts;
    private final List<StepState> states = new ArrayList<>();
    private final Deque<AutoCloseable> shareHandles = new ArrayDeque<>();
    /** Per step, the mount points it had to create, removed when it is undone. */
    private final CreatedMountPoints created;

    /**
     * @param state the agent's state directory, where the mount points the steps create are
     *     recorded for the agent that may come after this one
     */
    public PlanApplier(MountPlan plan, Shares shares, Path state) {
        this(plan, shares, state, MountSystem.linux());
    }

    /** With another mount table (tests: one they keep, so that no step needs root). */
    PlanApplier(MountPlan plan, Shares shares, Path state, MountSystem mounts) {
        this.plan = plan;
        this.shares = shares;
        this.mounts = mounts;
        this.created = new CreatedMountPoints(CreatedMountPoints.recordIn(state));
        plan.steps().forEach(step -> states.add(new StepState(step, MountPhase.PENDING, "")));
    }

    public synchronized List<StepState> states() {
        return List.copyOf(states);
    }

    /** Applies every step; stops at the first failure (which it reports) and throws. */
    public synchronized void apply() throws PlanException {
        for (int i = 0; i < states.size(); i++) {
            MountStep step = states.get(i).step();
            Map<Path, String> mounted = mounts.sources();
            try {
                if (isMade(step, mounted)) {
                    if (step instanceof MountStep.Share share) {
                        // its server was the agent before us: the mount is dead; mount it afresh
                        mounts.unmount(share.target(), Mounts.MNT_DETACH);
                    } else {
                        states.set(i, new StepState(step, MountPhase.ADOPTED, ""));
                        continue;
                    }
                }
                make(step);
                states.set(i, new StepState(step, MountPhase.APPLIED, ""));
            } catch (Exception e) {
                states.set(i, new StepState(step, MountPhase.FAILED, e.getMessage()));
                // nothing is mounted there (the mount is each step's last act): its mount point goes now
                removeCreated(step);
                throw new PlanException(step.describe() + ": " + e.getMessage(), e);
            }
        }
    }

    private static boolean isMade(MountStep step, Map<Path, String> mounted) {
        return switch (step) {
            case MountStep.Symlink link -> Files.isSymbolicLink(link.target());
            case MountStep.Private p -> false; // cheap and idempotent: always done
            // ours, not the DPU's own /dev/shm that the recursive bind of /dev brought along
            case MountStep.Tmpfs tmpfs -> TMPFS_SOURCE.equals(mounted.get(tmpfs.target()));
            default -> mounted.containsKey(step.target());
        };
    }

    private void make(MountStep step) throws ErrnoException, IOException {
        Path target = step.target();
        switch (step) {
            case MountStep.Tmpfs tmpfs -> {
                mountPoint(step, tmpfs.target(), true);
                mounts.mount(TMPFS_SOURCE, target, "tmpfs", Mounts.MS_NOSUID | Mounts.MS_NODEV, tmpfs.options());
            }
            case MountStep.Bind bind -> {
                mountPoint(step, bind.target(), true);
                mounts.mount(
                        bind.source().toString(),
                        target,
                        null,
                        Mounts.MS_BIND | (bind.recursive() ? Mounts.MS_REC : 0),
                        null);
            }
            case MountStep.Symlink link -> Files.createSymbolicLink(link.target(), link.linkTo());
            case MountStep.Private p -> mounts.mount(null, target, null, Mounts.MS_PRIVATE | Mounts.MS_REC, null);
            case MountStep.Mqueue mqueue -> {
                mountPoint(step, mqueue.target(), true);
                mounts.mount("mqueue", target, "mqueue", Mounts.MS_NOSUID | Mounts.MS_NODEV | Mounts.MS_NOEXEC, null);
            }
            case MountStep.Share share -> {
                mountPoint(step, share.target(), true);
                try {
                    shareHandles.push(shares.mount(share));
                } catch (IOException e) { // ErrnoException included
                    throw e;
                } catch (Exception e) {
                    throw new IOException(e.getMessage(), e);
                }
            }
            case MountStep.File file -> {
                Files.createDirectories(file.copy().getParent());
                Files.writeString(file.copy(), file.content());
                mountPoint(step, file.target(), false);
                mounts.mount(file.copy().toString(), target, null, Mounts.MS_BIND, null);
            }
            case MountStep.Shim shim -> {
                RexecBinary.writeShim(shim.file(), shim.program().toString());
                mountPoint(step, shim.target(), false);
                mounts.mount(shim.file().toString(), target, null, Mounts.MS_BIND, null);
            }
        }
    }

    /**
     * Makes the directory (or, for a file's bind, the empty file) to mount on, and remembers what it
     * created for {@code step}, so that undoing the step removes it again: beneath a bind of the
     * DPU's own tree, that is the DPU's disk.
     */
    private void mountPoint(MountStep step, Path path, boolean directory) throws IOException {
        if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path first = path;
        while (first.getParent() != null && !Files.exists(first.getParent())) {
            first = first.getParent();
        }
        if (directory) {
            Files.createDirectories(path);
        } else {
            Files.createDirectories(path.getParent());
            Files.createFile(path);
        }
        List<Path> made = new ArrayList<>();
        for (Path p = path; p != null; p = p.getParent()) {
            made.add(p); // deepest first
            if (p.equals(first)) {
                break;
            }
        }
        created.add(step, made);
    }

    /** Undoes every step that was made or adopted, in reverse; keeps going past failures (each logged). */
    public synchronized void undo() {
        while (!shareHandles.isEmpty()) {
            try {
                shareHandles.pop().close();
            } catch (Exception e) {
                log.warn("unmounting a share: {}", e.getMessage());
            }
        }
        for (int i = states.size() - 1; i >= 0; i--) {
            StepState state = states.get(i);
            if (state.state() != MountPhase.APPLIED && state.state() != MountPhase.ADOPTED) {
                continue;
            }
            try {
                unmake(state.step());
                removeCreated(state.step());
                states.set(i, new StepState(state.step(), MountPhase.UNDONE, ""));
            } catch (Exception e) {
                log.warn("undoing '{}': {}", state.step().describe(), e.getMessage());
                states.set(i, new StepState(state.step(), MountPhase.FAILED, "undo: " + e.getMessage()));
            }
        }
    }

    private void removeCreated(MountStep step) {
        for (Path path : created.take(step)) {
            try {
                Files.deleteIfExists(path);
            } catch (java.nio.file.DirectoryNotEmptyException e) {
                // A daemon keeps its files beside the mount point (containerd's metadata beside the
                // snapshots' share): they are the DPU's data, kept, and so is the directory.
                log.info("kept {}, made for a mount point: the daemons' files are in it", path);
            } catch (IOException e) {
                log.warn("removing {}, which the agent created: {}", path, e.getMessage());
            }
        }
    }

    private void unmake(MountStep step) throws ErrnoException, IOException {
        switch (step) {
            case MountStep.Symlink link -> Files.deleteIfExists(link.target());
            case MountStep.Private p -> {}
            case MountStep.Share share -> detachIfMounted(share.target());
            default -> {
                try {
                    mounts.unmount(step.target(), 0);
                } catch (ErrnoException e) {
                    if (e.errno() == Errno.EINVAL) {
                        return; // not mounted (any more)
                    }
                    // a recursive bind still holds mounts below it, or a process uses it: detach the whole tree
                    mounts.unmount(step.target(), Mounts.MNT_DETACH);
                }
            }
        }
    }

    private void detachIfMounted(Path target) throws ErrnoException {
        if (mounts.sources().containsKey(target)) {
            mounts.unmount(target, Mounts.MNT_DETACH);
        }
    }

    /** A step of the plan could not be applied. */
    public static final class PlanException extends Exception {
        PlanException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
