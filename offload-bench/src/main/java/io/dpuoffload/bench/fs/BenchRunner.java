package io.dpuoffload.bench.fs;

import io.dpuoffload.bench.fs.DpuMounts.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs the rows on each file system, row by row with the file systems side by side, so that a change in the machine's
 * load during a run touches all three alike.
 */
final class BenchRunner {

    private final List<Target> targets;
    private final Consumer<String> progress;
    private final Workloads workloads = new Workloads();
    /** The untar row's archives, by their number of files (the warm-up's tree is smaller). */
    private final Map<Integer, UnpackedTree> trees = new HashMap<>();

    BenchRunner(List<Target> targets, Consumer<String> progress) {
        this.targets = List.copyOf(targets);
        this.progress = progress;
    }

    /** The files every run reads: the 4 KiB file and the directory of {@code load.entries()} entries. Not timed. */
    void prepare(BenchLoad load) throws IOException {
        for (Target target : targets) {
            workloads.writeSmallFile(smallFile(target));
            Path listing = Files.createDirectory(listing(target));
            workloads.populate(listing, load.entries());
            progress.accept(
                    "prepared " + target.fs().key + ": a 4 KiB file and a directory of " + load.entries() + " entries");
        }
    }

    /** Measures every row once on every file system and adds the values to {@code report}. */
    FsBenchReport run(BenchLoad load, FsBenchReport report, String label) throws IOException {
        List<String> write = new ArrayList<>();
        List<String> read = new ArrayList<>();
        for (Target target : targets) {
            Path file = target.workDir().resolve("data");
            double writeRate = workloads.sequentialWrite(file, load.bytes());
            PageCache.drop(file);
            long resident = PageCache.residentBytes(file);
            double readRate = workloads.sequentialRead(file, load.bytes());
            Files.delete(file);
            report = report.with(target.fs(), Row.SEQ_WRITE, writeRate)
                    .with(target.fs(), Row.SEQ_READ, readRate)
                    .withNote(target.fs().key + ".cached_before_read", resident + " bytes");
            write.add(describe(target, writeRate, Row.SEQ_WRITE));
            read.add(describe(target, readRate, Row.SEQ_READ));
        }
        progress(label, Row.SEQ_WRITE, load, write);
        progress(label, Row.SEQ_READ, load, read);

        List<String> meta = new ArrayList<>();
        for (Target target : targets) {
            Path dir = Files.createDirectory(target.workDir().resolve("meta"));
            double rate = workloads.createStatUnlink(dir, load.files());
            Files.delete(dir);
            report = report.with(target.fs(), Row.CREATE_STAT_UNLINK, rate);
            meta.add(describe(target, rate, Row.CREATE_STAT_UNLINK));
        }
        progress(label, Row.CREATE_STAT_UNLINK, load, meta);

        List<String> opens = new ArrayList<>();
        for (Target target : targets) {
            double rate = workloads.openReadClose(smallFile(target), load.reads());
            report = report.with(target.fs(), Row.OPEN_READ_CLOSE, rate);
            opens.add(describe(target, rate, Row.OPEN_READ_CLOSE));
        }
        progress(label, Row.OPEN_READ_CLOSE, load, opens);

        List<String> listings = new ArrayList<>();
        for (Target target : targets) {
            double rate = workloads.readdir(listing(target), load.entries());
            report = report.with(target.fs(), Row.READDIR, rate);
            listings.add(describe(target, rate, Row.READDIR));
        }
        progress(label, Row.READDIR, load, listings);

        List<String> procs = new ArrayList<>();
        for (Target target : targets) {
            if (target.procStat().isEmpty()) {
                procs.add(target.fs().key + " n/a");
                continue;
            }
            double rate = workloads.openReadClose(target.procStat().get(), load.reads());
            report = report.with(target.fs(), Row.PROC_STAT, rate);
            procs.add(describe(target, rate, Row.PROC_STAT));
        }
        progress(label, Row.PROC_STAT, load, procs);

        UnpackedTree tree = tree(load.treeFiles());
        List<String> unpacks = new ArrayList<>();
        for (Target target : targets) {
            Path dir = Files.createDirectory(target.workDir().resolve("unpacked"));
            double rate = workloads.untar(tree, dir);
            workloads.remove(dir);
            report = report.with(target.fs(), Row.UNTAR, rate);
            unpacks.add(describe(target, rate, Row.UNTAR));
        }
        progress(label, Row.UNTAR, load, unpacks);
        return report;
    }

    /** The archive of a tree of {@code files} files, written once (not timed) to this node's local /tmp. */
    private UnpackedTree tree(int files) throws IOException {
        UnpackedTree tree = trees.get(files);
        if (tree == null) {
            Path archive = Files.createTempFile("fs-bench-tree", ".tar");
            archive.toFile().deleteOnExit();
            tree = UnpackedTree.write(archive, files);
            trees.put(files, tree);
            progress.accept(String.format(
                    Locale.ROOT, "wrote the untar row's archive: %d files, %.1f MB", files, tree.bytes() / 1e6));
        }
        return tree;
    }

    private void progress(String label, Row row, BenchLoad load, List<String> values) {
        progress.accept(label + ": " + row.label(load) + ": " + String.join(", ", values));
    }

    private static String describe(Target target, double value, Row row) {
        return target.fs().key + " " + String.format(Locale.ROOT, value >= 100 ? "%.0f" : "%.1f", value) + " "
                + row.quantity.unit();
    }

    private static Path smallFile(Target target) {
        return target.workDir().resolve("small");
    }

    private static Path listing(Target target) {
        return target.workDir().resolve("listing");
    }
}
