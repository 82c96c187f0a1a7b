package io.dpuoffload.e2e.fs.workloads;

import static io.dpuoffload.e2e.fs.workloads.TreeDifferences.Aspect.ATIME;
import static io.dpuoffload.e2e.fs.workloads.TreeDifferences.Aspect.MTIME;
import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.e2e.fs.workloads.DeployedMount.Dirs;
import io.dpuoffload.e2e.fs.workloads.TreeDifferences.Aspect;
import io.dpuoffload.topology.Topology;
import io.dpuoffload.topology.TopologyExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real programs on a mount as deployed (host and DPU nodes, mutual TLS) leave exactly what they
 * leave on a local directory: parallel untars of a tree of thousands of files, a parallel make and
 * its incremental rebuilds, rsync -aHAX into and out of the mount, a git clone and checkouts. Each
 * workload runs as a DPU program twice, on the mount and on a local directory of the export's file
 * system, and the two trees are compared in every aspect the workload determines.
 */
@ExtendWith(TopologyExtension.class)
class RealWorkloadsAcrossNamespacesIT {
    /** Every workload ends well within this; it bounds a hang, not a speed. */
    private static final Duration WORKLOAD_TIMEOUT = Duration.ofSeconds(120);

    private static final String TAR_OPTIONS = "--xattrs --xattrs-include=* --acls --numeric-owner";

    /** The unprivileged user the build runs as. */
    private static final int BUILDER = 1000;

    private static final String RSYNC = "rsync -aHAXU --open-noatime";

    @TempDir
    static Path work;

    static DeployedMount fs;
    static Path sample;

    @BeforeAll
    static void start(Topology topology) throws Exception {
        fs = DeployedMount.start(topology, work);
        sample = Files.createDirectories(work.resolve("sample"));
        SampleTree.write(sample, 13);
    }

    @AfterAll
    static void stop() {
        if (fs != null) {
            fs.close();
        }
    }

    @Test
    void parallelUntarsOfALargeTreeLandAsOnALocalDirectory() throws Exception {
        // One archive per top directory, not one per part of a shared directory: GNU tar (1.34) fails
        // ("Cannot mkdir: No such file or directory") when another process makes a missing parent
        // between its mkdir of the member and its mkdir of the parent, on a local disk too (seen with
        // the first mkdirat delayed by strace); a mount's round trips widen that window enough to hit.
        List<String> archives = new ArrayList<>();
        for (int i = 0; i < SampleTree.TOPS; i++) {
            Path archive = work.resolve(SampleTree.top(i) + ".tar");
            run(
                    "tar --format=posix " + TAR_OPTIONS + " -cpSf \"$1\" -C \"$2\" \"$3\"",
                    archive.toString(),
                    sample.toString(),
                    SampleTree.top(i));
            archives.add(archive.toString());
        }
        Dirs dirs = fs.fresh("untar");
        // All archives at once, into one directory, each tar a process of its own.
        String untar = "cd \"$1\" && shift && pids= && for a in \"$@\"; do tar " + TAR_OPTIONS
                + " -xpf \"$a\" & pids=\"$pids $!\"; done; rc=0; for p in $pids; do wait $p || rc=$?; done; exit $rc";
        both(dirs, untar, archives);

        TreeSnapshot local = snapshot(dirs.local());
        assertThat(local.entries()).as("the sample tree unpacked locally").hasSizeGreaterThan(3000);
        assertKeepsTheOddities(local, true);
        // tar sets the atime to the time of unpacking: everything else is the archive's.
        Set<Aspect> determined = Aspect.allBut(ATIME);
        assertThat(TreeDifferences.between(local, snapshot(dirs.mount()), determined))
                .as("the DPU's view of the unpacked tree")
                .isEmpty();
        assertThat(TreeDifferences.between(local, TreeSnapshot.of(dirs.host()), determined))
                .as("the host's files")
                .isEmpty();
    }

    /** As a builder does: an unprivileged user in a directory of its own. */
    @Test
    void makeBuildsAndRebuildsExactlyWhatItDoesLocally() throws Exception {
        Path project = Files.createDirectories(work.resolve("project"));
        CProject.write(project);
        Dirs dirs = fs.fresh("make");
        String builder = Integer.toString(BUILDER);
        fs.onDpu(
                WORKLOAD_TIMEOUT,
                "chown " + builder + ":" + builder + " \"$1\" \"$2\"",
                dirs.local().toString(),
                dirs.mount().toString());
        for (Path dir : List.of(dirs.local(), dirs.mount())) {
            fs.onDpuAs(BUILDER, WORKLOAD_TIMEOUT, "cp -a \"$2/.\" \"$1\"", dir.toString(), project.toString());
        }

        List<String> steps = List.of(
                "make -j2",
                "make -j2", // nothing to do
                "touch include/util.h && make -j2", // add, mul and main, not extra
                "touch src/extra.c && make -j2",
                "touch include/version.h && make -j2 && make -j2",
                "./calc");
        for (String step : steps) {
            assertThat(build(step, dirs.mount()))
                    .as("what `%s` does on the mount", step)
                    .isEqualTo(build(step, dirs.local()));
        }
        assertThat(build("touch include/util.h && make -j2", dirs.mount()))
                .as("a touched header rebuilds the objects that include it, and the binary")
                .containsExactly(
                        "cc -O1 -Iinclude -MMD -MP -c -o build/add.o src/add.c",
                        "cc -O1 -Iinclude -MMD -MP -c -o build/main.o src/main.c",
                        "cc -O1 -Iinclude -MMD -MP -c -o build/mul.o src/mul.c",
                        "cc -o calc build/add.o build/mul.o build/main.o build/extra.o");
        assertThat(build("./calc", dirs.mount())).containsExactly(CProject.OUTPUT);
        // Build times are the clock's: compare everything else.
        assertThat(TreeDifferences.between(snapshot(dirs.local()), snapshot(dirs.mount()), Aspect.allBut(MTIME, ATIME)))
                .isEmpty();
    }

    /** What {@code step} prints, run as the builder in {@code dir}: sorted, as two make jobs print in either order. */
    private static List<String> build(String step, Path dir) {
        return fs.onDpuAs(BUILDER, WORKLOAD_TIMEOUT, "cd \"$1\" && " + step, dir.toString())
                .stdout()
                .lines()
                .sorted()
                .toList();
    }

    @Test
    void rsyncIntoAndOutOfTheMountKeepsEverything() throws Exception {
        Dirs dirs = fs.fresh("rsync");
        // -U (--atimes) too, so that the copies' atimes are determined and compared, and
        // --open-noatime so that reading a source does not move the atimes the next run copies.
        String into = RSYNC + " \"$2/\" \"$1/in/\"";
        both(dirs, into, List.of(sample.toString()));
        TreeSnapshot local = snapshot(dirs.local().resolve("in"));
        assertKeepsTheOddities(local, false); // without -S, rsync writes holes out as zeros
        assertThat(TreeDifferences.between(local, snapshot(dirs.mount().resolve("in")), Aspect.all()))
                .as("rsync into the mount")
                .isEmpty();

        // Again: nothing to transfer, on the mount as locally (rsync compares sizes and mtimes).
        String again = RSYNC + " --itemize-changes \"$2/\" \"$1/in/\"";
        assertThat(fs.onDpu(WORKLOAD_TIMEOUT, again, dirs.mount().toString(), sample.toString())
                        .stdout())
                .as("a second rsync into the mount finds nothing to do")
                .isEqualTo(fs.onDpu(WORKLOAD_TIMEOUT, again, dirs.local().toString(), sample.toString())
                        .stdout());

        // Out: from each copy to a local directory.
        Path fromLocal = work.resolve("rsync-out-of-local");
        Path fromMount = work.resolve("rsync-out-of-mount");
        String out = RSYNC + " \"$1/in/\" \"$2/\"";
        fs.onDpu(WORKLOAD_TIMEOUT, out, dirs.local().toString(), fromLocal.toString());
        fs.onDpu(WORKLOAD_TIMEOUT, out, dirs.mount().toString(), fromMount.toString());
        assertThat(TreeDifferences.between(snapshot(fromLocal), snapshot(fromMount), Aspect.all()))
                .as("rsync out of the mount")
                .isEmpty();
    }

    @Test
    void gitClonesAndChecksOutCommitsAsLocally() throws Exception {
        Path bare = GitHistory.bareRepository(work.resolve("git"));
        Dirs dirs = fs.fresh("git");
        String gitEnv = "export HOME=\"$1\" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null && cd \"$1\" && ";
        both(dirs, gitEnv + "git clone -q \"file://$2\" clone", List.of(bare.toString()));
        Predicate<String> gitDirectory = name -> name.equals(".git");
        for (String tag : GitHistory.CHECKOUT_ORDER) {
            String checkout = gitEnv + "cd clone && git -c advice.detachedHead=false checkout -q " + tag
                    + " && git status --porcelain && git rev-parse HEAD";
            String local = fs.onDpu(WORKLOAD_TIMEOUT, checkout, dirs.local().toString())
                    .stdout();
            String mount = fs.onDpu(WORKLOAD_TIMEOUT, checkout, dirs.mount().toString())
                    .stdout();
            assertThat(mount)
                    .as("git status (clean) and HEAD after checking out %s", tag)
                    .isEqualTo(local)
                    .matches("[0-9a-f]{40}\\n");
            assertThat(TreeDifferences.between(
                            TreeSnapshot.of(fs.asSeenOnDpu(dirs.local().resolve("clone")), gitDirectory),
                            TreeSnapshot.of(fs.asSeenOnDpu(dirs.mount().resolve("clone")), gitDirectory),
                            Aspect.allBut(MTIME, ATIME)))
                    .as("the work tree at %s", tag)
                    .isEmpty();
        }
        String verify =
                gitEnv + "cd clone && git gc -q && git fsck --strict --no-progress && git log --oneline | wc -l";
        assertThat(fs.onDpu(WORKLOAD_TIMEOUT, verify, dirs.mount().toString()).stdout())
                .isEqualTo(fs.onDpu(WORKLOAD_TIMEOUT, verify, dirs.local().toString())
                        .stdout());
    }

    /**
     * The sample's oddities survived the workload on the local directory, so that finding the same on
     * the mount says something: a workload that dropped them everywhere would compare equal.
     */
    private static void assertKeepsTheOddities(TreeSnapshot local, boolean holes) {
        String odd = SampleTree.top(0) + "/odd/";
        Map<String, TreeSnapshot.Entry> e = local.entries();
        assertThat(e.get(odd + "setuid"))
                .extracting(x -> x.permissions(), x -> x.uid())
                .containsExactly(04755, 1000);
        assertThat(e.get(odd + "fifo").type()).isEqualTo("fifo");
        assertThat(e.get(odd + "acl").xattrs()).containsKey("system.posix_acl_access");
        assertThat(e.get(odd + "acl-default").xattrs()).containsKey("system.posix_acl_default");
        assertThat(e.get(odd + "xattrs").xattrs()).containsKeys("user.binary", "trusted.root-only");
        assertThat(e.get(odd + "before-1970").mtimeNanos()).isNegative();
        assertThat(e).containsKey(odd + "ünïcødé-名前");
        assertThat(local.hardLinkGroups()).anyMatch(group -> group.size() == 3);
        if (holes) {
            TreeSnapshot.Entry sparse = e.get(odd + "sparse-head");
            assertThat(sparse.blocks() * 512).as("space taken by sparse-head").isLessThan(sparse.size());
        }
    }

    /** {@code script} on the local directory, then on the mount; $1 is the directory, then {@code args}. */
    private static void both(Dirs dirs, String script, List<String> args) {
        for (Path dir : List.of(dirs.local(), dirs.mount())) {
            List<String> all = new ArrayList<>(List.of(dir.toString()));
            all.addAll(args);
            fs.onDpu(WORKLOAD_TIMEOUT, script, all.toArray(String[]::new));
        }
    }

    /** A DPU program on paths outside the workload directories (setup). */
    private static void run(String script, String... args) {
        fs.onDpu(WORKLOAD_TIMEOUT, script, args);
    }

    private static TreeSnapshot snapshot(Path onDpu) throws Exception {
        return TreeSnapshot.of(fs.asSeenOnDpu(onDpu));
    }
}
