package io.dpuoffload.cli.channel;

/** Bytes moved in a time. MB are decimal (10^6 bytes), as network rates are; sizes are binary (MiB, GiB). */
public record Throughput(long bytes, long nanos) {

    public Throughput {
        if (bytes < 0 || nanos <= 0) {
            throw new IllegalArgumentException("bytes " + bytes + " in " + nanos + " ns");
        }
    }

    public double megabytesPerSecond() {
        return bytes / 1e6 / (nanos / 1e9);
    }

    /** "319 MB/s (2.55 Gbit/s)". */
    public String describe() {
        double mb = megabytesPerSecond();
        return Latencies.threeDigits(mb) + " MB/s (" + Latencies.threeDigits(mb * 8 / 1000) + " Gbit/s)";
    }
}
