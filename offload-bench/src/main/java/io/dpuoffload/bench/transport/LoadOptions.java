package io.dpuoffload.bench.transport;

import io.dpuoffload.cli.channel.ByteSize;
import io.dpuoffload.cli.channel.OptionValues;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** How much load {@code offload-bench transport} asks for; the orchestrator passes the same options to its client. */
final class LoadOptions {

    /** Settings once checked. */
    record Load(long bytes, int requests, int runs, int streams) {
        List<String> toArgs() {
            return List.of(
                    "--bytes", Long.toString(bytes),
                    "--requests", Integer.toString(requests),
                    "--runs", Integer.toString(runs),
                    "--streams", Integer.toString(streams));
        }
    }

    /** At several hundred MB/s per side this keeps a run within the phase limit; bigger says nothing new. */
    static final long MAX_BYTES = 16 * ByteSize.GIB;

    /** Samples are kept in memory (8 bytes each) and sorted; a million is ample for a p99. */
    static final int MAX_REQUESTS = 1_000_000;

    /** Each run repeats every measurement; the table shows the median. */
    static final int MAX_RUNS = 10;

    /** Streams on one connection (and TCP connections for the baseline) in the parallel measurement. */
    static final int MAX_STREAMS = 64;

    @Option(
            names = "--bytes",
            paramLabel = "SIZE",
            defaultValue = "1GiB",
            description = "Bytes per throughput measurement, e.g. 256MiB, 1GiB (default: ${DEFAULT-VALUE}).")
    String bytes;

    @Option(
            names = "--requests",
            paramLabel = "N",
            defaultValue = "20000",
            description = "Round trips of 64 bytes per latency measurement (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(
            names = "--runs",
            paramLabel = "N",
            defaultValue = "1",
            description = "Repeat every measurement N times and report the median (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(
            names = "--streams",
            paramLabel = "N",
            defaultValue = "4",
            description = "Also measure N streams in parallel on one connection, against N TCP connections;"
                    + " 1 skips it (default: ${DEFAULT-VALUE}).")
    int streams;

    Load check(CommandSpec spec) {
        OptionValues.count(spec, "--requests", requests, 1, MAX_REQUESTS);
        OptionValues.count(spec, "--runs", runs, 1, MAX_RUNS);
        OptionValues.count(spec, "--streams", streams, 1, MAX_STREAMS);
        long size = OptionValues.size(spec, "--bytes", bytes, streams, MAX_BYTES);
        return new Load(size, requests, runs, streams);
    }
}
