package io.dpuoffload.bench.ipc;

import io.dpuoffload.bench.Workload;
import io.dpuoffload.cli.channel.ByteSize;
import java.util.List;

/**
 * How much each measurement does, and how often: checked values of {@link IpcBenchOptions}.
 *
 * @param bytes size of the stream from the DPU to the host's sink
 * @param roundTrips timed 1-byte round trips per latency measurement
 * @param runs how often every row is measured; the table shows the median
 */
record IpcBenchLoad(long bytes, int roundTrips, int runs) implements Workload {

    /**
     * The unmeasured warm-up, once per bridge before anything is timed: enough for the JIT to compile the hot paths of
     * the sink, the client and both offload-ipc JVMs (TLS above all). Fixed, so a quick run with small sizes measures
     * warm JVMs too.
     */
    static final long WARM_UP_BYTES = 256L << 20;

    static final int WARM_UP_ROUND_TRIPS = 5_000;

    /** Untimed round trips on each latency measurement's own connection before its timed ones. */
    static final int CONNECTION_WARM_UP_ROUND_TRIPS = 200;

    /** The same options for the DPU side's command line. */
    @Override
    public List<String> toArgs() {
        return List.of(
                "--bytes", Long.toString(bytes),
                "--round-trips", Integer.toString(roundTrips),
                "--runs", Integer.toString(runs));
    }

    IpcBenchLoad warmUp() {
        return new IpcBenchLoad(WARM_UP_BYTES, WARM_UP_ROUND_TRIPS, 1);
    }

    @Override
    public String describe() {
        return "a stream of " + ByteSize.format(bytes) + " and " + roundTrips + " round trips per bridge; "
                + (runs == 1 ? "1 run" : runs + " runs");
    }
}
