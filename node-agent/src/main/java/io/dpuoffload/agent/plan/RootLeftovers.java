package io.dpuoffload.agent.plan;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Mounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an earlier agent left of an offload root when it ended without its teardown (killed, or
 * restarted while its pair was being deleted): its mounts, and the mount points it made on the
 * DPU's disk. Cleared without knowing the plan that made them: every mount at or below the root
 * goes (deepest first; a dead offload-fs mount too), then every mount point the agent recorded.
 */
public final class RootLeftovers {
    private static final Logger log = LoggerFactory.getLogger(RootLeftovers.class);

    /** Mounts stacked on one point go one per pass; a root has few such stacks. */
    private static final int MAX_PASSES = 8;

    private RootLeftovers() {}

    /** Whether an earlier agent left anything of a root at {@code root} with state {@code state}. */
    public static boolean exist(Path root, Path state) {
        return !MountTable.under(root).isEmpty() || Files.exists(CreatedMountPoints.recordIn(state));
    }

    /**
     * Clears them; what cannot be removed is logged and stays.
     *
     * @return how many mounts were undone
     */
    public static int clear(Path root, Path state) {
        int unmounted = 0;
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            List<Path> mounts = MountTable.under(root);
            if (mounts.isEmpty()) {
                break;
            }
            for (Path target : mounts.reversed()) {
                try {
                    Mounts.umount2(target.toString(), Mounts.MNT_DETACH);
                    unmounted++;
                } catch (ErrnoException e) {
                    if (e.errno() != Errno.EINVAL && e.errno() != Errno.ENOENT) { // gone with its parent
                        log.warn("cannot unmount {}, left by an earlier agent: {}", target, e.getMessage());
                    }
                }
            }
        }
        for (Path created : new CreatedMountPoints(CreatedMountPoints.recordIn(state)).takeAll()) {
            try {
                Files.deleteIfExists(created);
            } catch (IOException e) {
                log.warn("cannot remove {}, made by an earlier agent: {}", created, e.getMessage());
            }
        }
        return unmounted;
    }
}
