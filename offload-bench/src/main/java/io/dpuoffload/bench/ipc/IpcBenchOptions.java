package io.dpuoffload.bench.ipc;

import io.dpuoffload.cli.BadInputException;
import io.dpuoffload.cli.channel.ByteSize;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The workload sizes of {@code offload-bench ipc}, shared with its DPU side. */
final class IpcBenchOptions {

    static final long MIN_BYTES = 1L << 20;
    /** Nothing is stored, but a stream beyond this takes minutes through a slow bridge for no better number. */
    static final long MAX_BYTES = 64L << 30;
    /** Round trips beyond this take minutes at the slowest bridge's p99 and say nothing more about p50 or p99. */
    static final int MAX_ROUND_TRIPS = 10_000_000;
    /** More runs than this only make a run long; the median of a few is what the table shows. */
    static final int MAX_RUNS = 20;

    @Option(
            names = "--bytes",
            paramLabel = "SIZE",
            defaultValue = "1GiB",
            description = "Size of the stream from the DPU to the host (default: ${DEFAULT-VALUE}).")
    String bytes;

    @Option(
            names = "--round-trips",
            paramLabel = "N",
            defaultValue = "20000",
            description = "Timed 1-byte round trips per bridge (default: ${DEFAULT-VALUE}); p99 needs 100 or more.")
    int roundTrips;

    @Option(
            names = "--runs",
            paramLabel = "N",
            defaultValue = "3",
            description = "Measure every row N times and show the median (default: ${DEFAULT-VALUE}).")
    int runs;

    IpcBenchLoad check(CommandSpec spec) {
        long size;
        try {
            size = ByteSize.parse("--bytes", bytes, MIN_BYTES, MAX_BYTES);
        } catch (BadInputException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        return new IpcBenchLoad(
                size,
                count(spec, "--round-trips", roundTrips, 100, MAX_ROUND_TRIPS),
                count(spec, "--runs", runs, 1, MAX_RUNS));
    }

    private static int count(CommandSpec spec, String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ParameterException(
                    spec.commandLine(), option + " must be between " + min + " and " + max + ", but is " + value);
        }
        return value;
    }
}
