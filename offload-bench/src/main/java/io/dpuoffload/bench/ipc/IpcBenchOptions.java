package io.dpuoffload.bench.ipc;

import io.dpuoffload.bench.RunsOption;
import io.dpuoffload.cli.channel.OptionValues;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The workload sizes of {@code offload-bench ipc}, shared with its DPU side. */
final class IpcBenchOptions {

    static final long MIN_BYTES = 1L << 20;
    /** Nothing is stored, but a stream beyond this takes minutes through a slow bridge for no better number. */
    static final long MAX_BYTES = 64L << 30;
    /** Fewer round trips leave no p99 to speak of. */
    static final int MIN_ROUND_TRIPS = 100;
    /** Round trips beyond this take minutes at the slowest bridge's p99 and say nothing more about p50 or p99. */
    static final int MAX_ROUND_TRIPS = 10_000_000;

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

    @Mixin
    RunsOption runs;

    IpcBenchLoad check(CommandSpec spec) {
        return new IpcBenchLoad(
                OptionValues.size(spec, "--bytes", bytes, MIN_BYTES, MAX_BYTES),
                OptionValues.count(spec, "--round-trips", roundTrips, MIN_ROUND_TRIPS, MAX_ROUND_TRIPS),
                runs.check(spec));
    }
}
