package io.dpuoffload.bench.ipc;

import io.dpuoffload.cli.channel.ByteSize;

/** The rows of the table. Throughput is better higher; round-trip times are better lower. */
enum Metric {
    STREAM("stream_mb_s", "MB/s", true),
    PING_P50("ping_p50_us", "µs", false),
    PING_P99("ping_p99_us", "µs", false);

    final String key;
    final String unit;
    final boolean higherIsBetter;

    Metric(String key, String unit, boolean higherIsBetter) {
        this.key = key;
        this.unit = unit;
        this.higherIsBetter = higherIsBetter;
    }

    /** What the row measured, with the run's sizes: "stream of 1.00 GiB, DPU → host". */
    String label(IpcBenchLoad load) {
        return switch (this) {
            case STREAM -> "stream of " + ByteSize.format(load.bytes()) + ", DPU → host";
            case PING_P50 -> "1-byte round trip, p50 of " + load.roundTrips();
            case PING_P99 -> "1-byte round trip, p99 of " + load.roundTrips();
        };
    }
}
