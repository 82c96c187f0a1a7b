package io.dpuoffload.bench.fs;

import io.dpuoffload.cli.BadInputException;
import io.dpuoffload.cli.channel.ByteSize;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The workload sizes of {@code offload-bench fs}, shared with its DPU side. Defaults are issue #3's. */
final class BenchOptions {

    static final long MIN_BYTES = 1L << 20;
    /** Three copies live at once (the DPU's tmpfs, the host's tmpfs, the DPU's page cache): keep them in memory. */
    static final long MAX_BYTES = 4L << 30;
    /** More runs than this only make a run long; the median of a few is what the table shows. */
    static final int MAX_RUNS = 20;
    /** Counts beyond this take minutes per row over sshfs. */
    static final int MAX_COUNT = 1_000_000;

    @Option(
            names = "--size",
            paramLabel = "SIZE",
            defaultValue = "512MiB",
            description = "Size of the sequential write and read (default: ${DEFAULT-VALUE}; e.g. 64MiB for a quick"
                    + " check).")
    String size;

    @Option(
            names = "--files",
            paramLabel = "N",
            defaultValue = "2000",
            description = "Files created, stat'ed and unlinked (default: ${DEFAULT-VALUE}).")
    int files;

    @Option(
            names = "--reads",
            paramLabel = "N",
            defaultValue = "5000",
            description = "open/read/close cycles of a 4 KiB file, and reads of /proc/PID/stat (default:"
                    + " ${DEFAULT-VALUE}).")
    int reads;

    @Option(
            names = "--entries",
            paramLabel = "N",
            defaultValue = "5000",
            description = "Entries of the directory that is listed (default: ${DEFAULT-VALUE}).")
    int entries;

    @Option(
            names = "--runs",
            paramLabel = "N",
            defaultValue = "3",
            description = "Measure every row N times and show the median (default: ${DEFAULT-VALUE}).")
    int runs;

    BenchLoad check(CommandSpec spec) {
        long bytes;
        try {
            bytes = ByteSize.parse("--size", size, MIN_BYTES, MAX_BYTES);
        } catch (BadInputException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        return new BenchLoad(
                bytes,
                count(spec, "--files", files, MAX_COUNT),
                count(spec, "--reads", reads, MAX_COUNT),
                count(spec, "--entries", entries, MAX_COUNT),
                count(spec, "--runs", runs, MAX_RUNS));
    }

    private static int count(CommandSpec spec, String option, int value, int max) {
        if (value < 1 || value > max) {
            throw new ParameterException(
                    spec.commandLine(), option + " must be between 1 and " + max + ", but is " + value);
        }
        return value;
    }
}
