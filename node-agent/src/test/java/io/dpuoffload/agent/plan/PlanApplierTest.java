package io.dpuoffload.agent.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpuoffload.api.spec.CacheMode;
import io.dpuoffload.api.status.MountPhase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The applier against a mount table the test keeps ({@link FakeMounts}); mount points are real
 * directories and files in a temporary directory. What an operator relies on: the root is built in
 * the plan's order and taken down in reverse, a failing step is named and what came before it is
 * undone, a restarted agent adopts what the last one left, and the agent removes from the DPU's disk
 * only the mount points it made.
 */
class PlanApplierTest {
    @TempDir
    Path dir;

    private final FakeMounts mounts = new FakeMounts();
    private final List<MountStep.Share> sharesMounted = new ArrayList<>();
    private final List<MountStep.Share> sharesClosed = new ArrayList<>();
    private Path root;
    private Path state;
    private MountPlan plan;

    @BeforeEach
    void plan() throws IOException {
        root = dir.resolve("root");
        state = dir.resolve("state");
        Path dpuUsr = Files.createDirectories(dir.resolve("dpu/usr"));
        // the DPU's own directory, there before the agent: kept when the root goes
        Files.createDirectories(root.resolve("etc"));
        plan = new MountPlan(
                root,
                List.of(
                        new MountStep.Tmpfs(root, "mode=755"),
                        new MountStep.Bind(dpuUsr, root.resolve("usr"), false),
                        new MountStep.Symlink(root.resolve("bin"), Path.of("usr/bin")),
                        new MountStep.Tmpfs(root.resolve("run"), "mode=755"),
                        new MountStep.Mqueue(root.resolve("dev/mqueue")),
                        new MountStep.File(root.resolve("etc/app.conf"), "level=1\n", state.resolve("files/app.conf")),
                        new MountStep.Share(root.resolve("home"), share()),
                        new MountStep.Private(root)));
    }

    private static io.dpuoffload.api.spec.Share share() {
        return new io.dpuoffload.api.spec.Share(
                "home", Path.of("/home"), null, CacheMode.NONE, null, null, null, null, null, null);
    }

    private PlanApplier applier() {
        return new PlanApplier(
                plan,
                share -> {
                    sharesMounted.add(share);
                    mounts.table.put(share.target(), "offload-fs");
                    return () -> {
                        sharesClosed.add(share);
                        mounts.table.remove(share.target());
                    };
                },
                state,
                mounts);
    }

    @Test
    void appliesTheStepsInThePlansOrderAndUndoesThemInReverse() throws Exception {
        PlanApplier applier = applier();
        applier.apply();

        assertThat(mounts.calls)
                .containsExactly(
                        "mount " + root,
                        "mount " + root.resolve("usr"),
                        "mount " + root.resolve("run"),
                        "mount " + root.resolve("dev/mqueue"),
                        "mount " + root.resolve("etc/app.conf"),
                        "private " + root);
        assertThat(Files.readSymbolicLink(root.resolve("bin"))).isEqualTo(Path.of("usr/bin"));
        assertThat(Files.readString(state.resolve("files/app.conf"))).isEqualTo("level=1\n");
        assertThat(sharesMounted).extracting(MountStep::target).containsExactly(root.resolve("home"));
        assertThat(applier.states()).extracting(StepState::state).containsOnly(MountPhase.APPLIED);

        mounts.calls.clear();
        applier.undo();

        assertThat(sharesClosed).hasSize(1);
        assertThat(mounts.calls)
                .as("the share's handle unmounted it; the rest in reverse")
                .containsExactly(
                        "umount " + root.resolve("etc/app.conf"),
                        "umount " + root.resolve("dev/mqueue"),
                        "umount " + root.resolve("run"),
                        "umount " + root.resolve("usr"),
                        "umount " + root);
        assertThat(mounts.table).isEmpty();
        assertThat(root.resolve("bin")).doesNotExist();
        assertThat(applier.states()).extracting(StepState::state).containsOnly(MountPhase.UNDONE);
    }

    @Test
    void removesTheMountPointsItMadeAndKeepsTheOnesThatWereThere() throws Exception {
        PlanApplier applier = applier();
        applier.apply();
        assertThat(root.resolve("usr")).isDirectory();
        assertThat(root.resolve("etc/app.conf")).isRegularFile();

        applier.undo();

        assertThat(root.resolve("usr")).doesNotExist();
        assertThat(root.resolve("run")).doesNotExist();
        assertThat(root.resolve("dev")).as("made for dev/mqueue, with it").doesNotExist();
        assertThat(root.resolve("home")).doesNotExist();
        assertThat(root.resolve("etc/app.conf"))
                .as("the placeholder file the agent made")
                .doesNotExist();
        assertThat(root.resolve("etc")).as("the DPU's own directory").isDirectory();
        assertThat(root).as("there before the agent").isDirectory();
        assertThat(state.resolve("mount-points")).as("nothing left to remember").doesNotExist();
    }

    @Test
    void aFailingStepIsNamedAndOnlyWhatCameBeforeItIsUndone() throws Exception {
        mounts.failMounting(root.resolve("dev/mqueue"));
        PlanApplier applier = applier();

        assertThatThrownBy(applier::apply)
                .isInstanceOf(PlanApplier.PlanException.class)
                .hasMessageStartingWith("mqueue " + root.resolve("dev/mqueue") + ": ")
                .hasMessageContaining("Operation not permitted");
        assertThat(applier.states())
                .extracting(StepState::state)
                .containsExactly(
                        MountPhase.APPLIED,
                        MountPhase.APPLIED,
                        MountPhase.APPLIED,
                        MountPhase.APPLIED,
                        MountPhase.FAILED,
                        MountPhase.PENDING,
                        MountPhase.PENDING,
                        MountPhase.PENDING);
        assertThat(applier.states().get(4).status().detail()).contains("Operation not permitted");
        assertThat(root.resolve("dev")).as("the failed step's own mount point").doesNotExist();

        mounts.calls.clear();
        applier.undo();

        assertThat(mounts.calls)
                .containsExactly("umount " + root.resolve("run"), "umount " + root.resolve("usr"), "umount " + root);
        assertThat(root.resolve("bin")).doesNotExist();
        assertThat(sharesMounted).isEmpty();
        assertThat(mounts.table).isEmpty();
    }

    @Test
    void aRestartedAgentAdoptsTheMountsItFindsAndStillRemovesTheMountPointsOfTheOneBefore() throws Exception {
        applier().apply(); // the agent before, killed: nothing undone
        mounts.calls.clear();
        sharesMounted.clear();

        PlanApplier next = applier();
        next.apply();

        assertThat(mounts.calls)
                .as("nothing mounted twice; the dead share detached and mounted afresh")
                .containsExactly("detach " + root.resolve("home"), "private " + root);
        assertThat(sharesMounted).hasSize(1);
        assertThat(next.states())
                .extracting(StepState::state)
                .containsExactly(
                        MountPhase.ADOPTED,
                        MountPhase.ADOPTED,
                        MountPhase.ADOPTED,
                        MountPhase.ADOPTED,
                        MountPhase.ADOPTED,
                        MountPhase.ADOPTED,
                        MountPhase.APPLIED,
                        MountPhase.APPLIED);

        next.undo();

        assertThat(mounts.table).isEmpty();
        assertThat(root.resolve("usr")).as("made by the agent before").doesNotExist();
        assertThat(root.resolve("dev")).doesNotExist();
        assertThat(root.resolve("etc")).isDirectory();
    }

    @Test
    void aStepWhoseMountIsGoneIsAppliedAgainAndTheRestAdopted() throws Exception {
        applier().apply();
        mounts.table.remove(root.resolve("dev/mqueue")); // unmounted while no agent ran
        mounts.calls.clear();

        PlanApplier next = applier();
        next.apply();

        assertThat(mounts.calls).contains("mount " + root.resolve("dev/mqueue"));
        assertThat(mounts.calls).doesNotContain("mount " + root, "mount " + root.resolve("usr"));
        assertThat(next.states().get(4).state()).isEqualTo(MountPhase.APPLIED);
        assertThat(next.states().get(1).state()).isEqualTo(MountPhase.ADOPTED);

        next.undo();
        assertThat(root.resolve("dev")).as("recorded by the agent that made it").doesNotExist();
    }

    @Test
    void aTmpfsThatIsNotTheAgentsIsMountedOverNotAdopted() throws Exception {
        Files.createDirectories(root.resolve("run"));
        mounts.table.put(root.resolve("run"), "tmpfs"); // the DPU's own, brought along by a recursive bind

        PlanApplier applier = applier();
        applier.apply();

        assertThat(mounts.calls).contains("mount " + root.resolve("run"));
        assertThat(applier.states().get(3).state()).isEqualTo(MountPhase.APPLIED);
        assertThat(mounts.table).containsEntry(root.resolve("run"), "dpuoffload");
    }

    @Test
    void aMountStillHoldingMountsBelowItIsDetached() throws Exception {
        mounts.busy(root.resolve("usr"));
        PlanApplier applier = applier();
        applier.apply();
        mounts.calls.clear();

        applier.undo();

        assertThat(mounts.calls)
                .containsSubsequence(
                        "umount " + root.resolve("usr"), "detach " + root.resolve("usr"), "umount " + root);
        assertThat(applier.states()).extracting(StepState::state).containsOnly(MountPhase.UNDONE);
    }
}
