package io.dpuoffload.bench.ipc;

import io.dpuoffload.bench.Quantity;
import io.dpuoffload.cli.channel.ByteSize;

/** The rows of the table. Throughput is better higher; round-trip times are better lower. */
enum Metric {
    STREAM(Quantity.rate("stream_mb_s", "MB/s")),
    PING_P50(Quantity.time("ping_p50_us", "µs")),
    PING_P99(Quantity.time("ping_p99_us", "µs"));

    final Quantity quantity;

    Metric(Quantity quantity) {
        this.quantity = quantity;
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
