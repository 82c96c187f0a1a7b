package io.dpuoffload.agent.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent killed (or restarted) with its root built leaves its mounts and mount points; the next
 * one, asked to report the pair torn down, clears them without the plan that made them, and leaves
 * what they showed untouched.
 */
class RootLeftoversIT {
    @TempDir
    Path work;

    private Path root;

    @AfterEach
    void noMountLeft() {
        if (root != null && !MountTable.under(root).isEmpty()) {
            RootLeftovers.clear(root, work.resolve("state"));
        }
    }

    @Test
    void aRootLeftBehindIsClearedAndWhatItShowedStays() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounts need root (CI runs as root)");
        root = work.resolve("root");
        Path state = work.resolve("state");
        Path data = Files.createDirectories(work.resolve("dpu-data"));
        Files.writeString(data.resolve("keep"), "the DPU's own file\n");
        MountPlan plan = new MountPlan(
                root,
                List.of(
                        new MountStep.Tmpfs(root, "mode=0755,size=1m"),
                        new MountStep.Bind(data, root.resolve("srv/data"), true),
                        new MountStep.Tmpfs(root.resolve("tmp"), "mode=1777"),
                        new MountStep.Symlink(root.resolve("bin"), Path.of("usr/bin"))));
        new PlanApplier(plan, share -> () -> {}, state).apply(); // and the agent is gone without undo

        assertThat(RootLeftovers.exist(root, state)).isTrue();
        assertThat(MountTable.under(root)).hasSize(3);

        assertThat(RootLeftovers.clear(root, state)).isGreaterThanOrEqualTo(1);

        assertThat(MountTable.under(root))
                .as("no mount left at or below the root")
                .isEmpty();
        assertThat(root).as("the root's mount point, which the agent made").doesNotExist();
        assertThat(RootLeftovers.exist(root, state)).isFalse();
        assertThat(data.resolve("keep"))
                .as("what the root showed is the DPU's and stays")
                .hasContent("the DPU's own file\n");
    }

    @Test
    void nothingLeftIsNothingToClear() {
        assertThat(RootLeftovers.exist(work.resolve("root"), work.resolve("state")))
                .isFalse();
    }
}
