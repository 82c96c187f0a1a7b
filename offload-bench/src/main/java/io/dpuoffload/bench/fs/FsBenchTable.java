package io.dpuoffload.bench.fs;

import io.dpuoffload.bench.Cells;
import io.dpuoffload.bench.Comparison;
import io.dpuoffload.cli.MachineInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The result as a text table: the three file systems side by side, offload-fs's ratios, and the goals of issue #3. */
final class FsBenchTable {

    private static final String ROW = "  %-36s %18s %17s %17s %10s %10s";

    /** Issue #3: offload-fs at least 1.5 times as fast as sshfs on every row. */
    static final double GOAL_OVER_SSHFS = 1.5;

    /** Issue #3: data throughput at least half of native. */
    static final double GOAL_OVER_NATIVE = 0.5;

    private FsBenchTable() {}

    static List<String> render(FsBenchReport report, MachineInfo machine, String loadAverages) {
        BenchLoad load = report.load();
        List<String> lines = new ArrayList<>();
        lines.add(String.format(
                Locale.ROOT,
                ROW,
                "",
                FsKind.TMPFS.label,
                FsKind.SSHFS.label,
                FsKind.OFFLOAD_FS.label,
                "offload-fs",
                "offload-fs"));
        lines.add(String.format(
                Locale.ROOT, ROW, "", "(native)", "(OpenSSH sftp)", "(mutual TLS)", "/ sshfs", "/ tmpfs"));
        List<String> missedOverSsh = new ArrayList<>();
        List<String> dataOverNative = new ArrayList<>();
        for (Row row : Row.values()) {
            Comparison compared = new Comparison(
                    report.median(FsKind.TMPFS, row),
                    report.median(FsKind.SSHFS, row),
                    report.median(FsKind.OFFLOAD_FS, row));
            Optional<Double> overSsh = compared.overUsual();
            lines.add(compared.line(ROW, row.label(load), row.quantity));
            if (overSsh.isPresent() && overSsh.get() < GOAL_OVER_SSHFS) {
                missedOverSsh.add(row.label(load) + " (" + Cells.format(overSsh) + ")");
            }
            if (row.data) {
                dataOverNative.add(row.quantity.key().replace("seq_", "") + " " + Cells.format(compared.overLimit()));
            }
        }
        lines.add("");
        lines.add("  " + Cells.runs(load.runs())
                + ", after an unmeasured warm-up. Every value is a rate: higher is better, and a ratio above 1 means"
                + " offload-fs is faster.");
        lines.add("  sshfs: cipher " + report.note("sshfs.cipher").orElse("?") + ", sshfs's defaults otherwise"
                + " (1 s attribute/entry timeouts, 20 s directory cache, no kernel_cache); /proc with -o direct_io.");
        lines.add(
                "  offload-fs: data export with cache: ttl (1 s); /proc export with procView (no cache, direct I/O).");
        lines.add("  Cold reads: the file's pages dropped on the DPU before each read (bytes still cached: "
                + cached(report) + "; tmpfs pages are the file itself).");
        lines.add("  /proc row: " + FsKind.TMPFS.label + " reads "
                + report.note("tmpfs.proc").orElse("?")
                + "; sshfs " + report.note("sshfs.proc").orElse("?") + "; offload-fs "
                + report.note("offload-fs.proc").orElse("?") + ".");
        lines.add("  untar: GNU tar -xf, as root (owners, modes and times set per file), of a tree the benchmark"
                + " writes: " + load.treeFiles() + " files of 0.5-64 KiB in directories of "
                + UnpackedTree.FILES_PER_DIRECTORY + ", from the DPU's local /tmp; removed after each run, untimed.");
        lines.add("  Goal offload-fs >= " + GOAL_OVER_SSHFS + "x sshfs on every row: "
                + (missedOverSsh.isEmpty() ? "met" : "missed on " + String.join(", ", missedOverSsh)) + ".");
        lines.add("  Goal data throughput >= " + GOAL_OVER_NATIVE + "x native: " + String.join(", ", dataOverNative)
                + ".");
        lines.add("  Machine: " + machine.describe() + "; load average " + loadAverages + ".");
        return lines;
    }

    private static String cached(FsBenchReport report) {
        List<String> parts = new ArrayList<>();
        for (FsKind fs : FsKind.values()) {
            report.note(fs.key + ".cached_before_read").ifPresent(bytes -> parts.add(fs.key + " " + bytes));
        }
        return String.join(", ", parts);
    }
}
