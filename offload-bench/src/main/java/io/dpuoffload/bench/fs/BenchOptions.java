package io.dpuoffload.bench.fs;

import io.dpuoffload.bench.RunsOption;
import io.dpuoffload.cli.channel.OptionValues;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The workload sizes of {@code offload-bench fs}, shared with its DPU side. Defaults are issue #3's. */
final class BenchOptions {

    static final long MIN_BYTES = 1L << 20;
    /** Three copies live at once (the DPU's tmpfs, the host's tmpfs, the DPU's page cache): keep them in memory. */
    static final long MAX_BYTES = 4L << 30;
    /** Counts beyond this take minutes per row over sshfs. */
    static final int MAX_COUNT = 1_000_000;
    /** The tree's archive is written to the DPU's local /tmp: about 6 KiB per file. */
    static final int MAX_TREE_FILES = 200_000;

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
            names = "--tree-files",
            paramLabel = "N",
            defaultValue = "9000",
            description = "Files of the tree the untar row unpacks, as an image unpack does (default: ${DEFAULT-VALUE},"
                    + " about 55 MB).")
    int treeFiles;

    @Mixin
    RunsOption runs;

    BenchLoad check(CommandSpec spec) {
        return new BenchLoad(
                OptionValues.size(spec, "--size", size, MIN_BYTES, MAX_BYTES),
                OptionValues.count(spec, "--files", files, 1, MAX_COUNT),
                OptionValues.count(spec, "--reads", reads, 1, MAX_COUNT),
                OptionValues.count(spec, "--entries", entries, 1, MAX_COUNT),
                OptionValues.count(spec, "--tree-files", treeFiles, 1, MAX_TREE_FILES),
                runs.check(spec));
    }
}
