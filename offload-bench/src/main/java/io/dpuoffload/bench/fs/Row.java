package io.dpuoffload.bench.fs;

import io.dpuoffload.bench.Quantity;
import io.dpuoffload.cli.channel.ByteSize;

/**
 * The rows of the benchmark: issue #3's workloads. Every value is a rate, so higher is better on every row and a ratio
 * above 1 always means the numerator is faster.
 */
enum Row {
    SEQ_WRITE("seq_write", "MB/s", true),
    SEQ_READ("seq_read", "MB/s", true),
    CREATE_STAT_UNLINK("create_stat_unlink", "files/s", false),
    OPEN_READ_CLOSE("open_read_close", "opens/s", false),
    READDIR("readdir", "entries/s", false),
    PROC_STAT("proc_stat", "reads/s", false),
    UNTAR("untar", "files/s", false);

    final Quantity quantity;
    /** Data throughput, where issue #3 asks for at least half of native. */
    final boolean data;

    Row(String key, String unit, boolean data) {
        quantity = Quantity.rate(key, unit);
        this.data = data;
    }

    /** What the row measured, with the run's sizes: "sequential write of 512 MiB, fsync'd". */
    String label(BenchLoad load) {
        return switch (this) {
            case SEQ_WRITE -> "sequential write, " + ByteSize.format(load.bytes()) + ", fsync'd";
            case SEQ_READ -> "sequential read, " + ByteSize.format(load.bytes()) + ", cold";
            case CREATE_STAT_UNLINK -> "create+stat+unlink, " + load.files() + " files";
            case OPEN_READ_CLOSE -> "open/read/close 4 KiB, " + load.reads() + "x";
            case READDIR -> "readdir of " + load.entries() + " entries";
            case PROC_STAT -> "read /proc/<pid>/stat, " + load.reads() + "x";
            case UNTAR -> "untar of a tree of " + load.treeFiles() + " files";
        };
    }
}
