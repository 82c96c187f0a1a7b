package io.dpuoffload.bench.fs;

import io.dpuoffload.bench.Workload;
import io.dpuoffload.cli.channel.ByteSize;
import java.util.List;

/**
 * How much each row does, and how often: checked values of {@link BenchOptions}.
 *
 * @param bytes size of the sequential write and read
 * @param files files created, stat'ed and unlinked
 * @param reads open/read/close cycles of the 4 KiB file, and reads of /proc/PID/stat
 * @param entries entries of the listed directory
 * @param treeFiles files of the tree the untar row unpacks
 * @param runs how often every row is measured; the table shows the median
 */
record BenchLoad(long bytes, int files, int reads, int entries, int treeFiles, int runs) implements Workload {

    /** The same options for the DPU side's command line. */
    @Override
    public List<String> toArgs() {
        return List.of(
                "--size", Long.toString(bytes),
                "--files", Integer.toString(files),
                "--reads", Integer.toString(reads),
                "--entries", Integer.toString(entries),
                "--tree-files", Integer.toString(treeFiles),
                "--runs", Integer.toString(runs));
    }

    /**
     * The unmeasured warm-up: every row once at a fixed size, enough for the JIT to compile the hot paths of the fs
     * serve and fs mount JVMs (and of this one) before anything is timed. Fixed, so that a quick run with small sizes
     * measures warm servers too.
     */
    BenchLoad warmUp() {
        return new BenchLoad(
                WARM_UP_BYTES, WARM_UP_COUNT, WARM_UP_COUNT, entries, Math.min(treeFiles, WARM_UP_COUNT), 1);
    }

    /** The largest data file a run writes, warm-up included: what the tmpfs mounts must hold. */
    long largestFile() {
        return Math.max(bytes, WARM_UP_BYTES);
    }

    @Override
    public String describe() {
        return ByteSize.format(bytes) + " of data, " + files + " files, " + reads + " reads, " + entries + " entries, "
                + "a tree of " + treeFiles + " files; "
                + (runs == 1 ? "1 run" : runs + " runs");
    }

    /**
     * The data path of a JVM file server (TLS above all) is still being compiled after 64 MiB: measured right after
     * such a warm-up, offload-fs wrote at half its later rate. 256 MiB is a few seconds per file system.
     */
    static final long WARM_UP_BYTES = 256L << 20;

    /** About 10^4 requests per FUSE server: several times the JIT's C2 threshold for each hot path. */
    static final int WARM_UP_COUNT = 2000;
}
