package io.dpuoffload.cli.channel;

import java.util.Arrays;
import java.util.Locale;

/** Round-trip times summarised by nearest-rank percentiles. */
public record Latencies(int count, long p50Nanos, long p99Nanos, long maxNanos) {

    public static Latencies of(long[] nanos) {
        if (nanos.length == 0) {
            throw new IllegalArgumentException("no round trips to summarise");
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new Latencies(sorted.length, percentile(sorted, 50), percentile(sorted, 99), sorted[sorted.length - 1]);
    }

    /** Nearest rank: the smallest sample with at least {@code percent}% of the samples at or below it. */
    static long percentile(long[] sorted, int percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }

    public double p50Micros() {
        return p50Nanos / 1e3;
    }

    public double p99Micros() {
        return p99Nanos / 1e3;
    }

    /** "p50 62.1 µs, p99 180 µs, max 1.20 ms". */
    public String describe() {
        return "p50 " + duration(p50Nanos) + ", p99 " + duration(p99Nanos) + ", max " + duration(maxNanos);
    }

    /** "850 ns", "62.1 µs", "1.20 ms", "2.50 s". */
    public static String duration(long nanos) {
        if (nanos < 1_000) {
            return nanos + " ns";
        }
        if (nanos < 1_000_000) {
            return threeDigits(nanos / 1e3) + " µs";
        }
        if (nanos < 1_000_000_000) {
            return threeDigits(nanos / 1e6) + " ms";
        }
        return threeDigits(nanos / 1e9) + " s";
    }

    static String threeDigits(double value) {
        String pattern = value >= 100 ? "%.0f" : value >= 10 ? "%.1f" : "%.2f";
        return String.format(Locale.ROOT, pattern, value);
    }
}
