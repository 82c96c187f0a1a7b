package io.dpuoffload.exec.host;

import io.dpuoffload.linux.CgroupSpawn;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The helper that starts programs born in their run's cgroup (src/main/c/cgroup-spawn.c, built for
 * the build machine's architecture and carried as a resource), loaded for {@link CgroupSpawn}.
 */
final class CgroupSpawnHelper {
    private static final Logger log = LoggerFactory.getLogger(CgroupSpawnHelper.class);
    private static final String RESOURCE = "/io/dpuoffload/exec/cgroup-spawn";

    private CgroupSpawnHelper() {}

    /** The helper, or empty (with a warning) when this build carries none or it cannot be kept. */
    static Optional<CgroupSpawn> load() {
        try (InputStream in = CgroupSpawnHelper.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                giveUp("this build carries no " + RESOURCE + " (build offload-exec with gcc installed)");
                return Optional.empty();
            }
            return Optional.of(CgroupSpawn.load(in.readAllBytes()));
        } catch (IOException e) { // an ErrnoException included
            giveUp(e.getMessage());
            return Optional.empty();
        }
    }

    static void giveUp(Exception e) {
        giveUp(e.getMessage());
    }

    private static void giveUp(String why) {
        log.warn(
                "programs are not started in their run's cgroup directly ({}): each start moves the exec server"
                        + " into the run's cgroup and back instead, which takes milliseconds (an RCU grace period)",
                why);
    }
}
