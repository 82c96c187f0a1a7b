package io.dpuoffload.cli.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LatenciesTest {

    @Test
    void percentilesAreNearestRankOverTheSortedSamples() {
        long[] hundred = LongStream.rangeClosed(1, 100).map(i -> 101 - i).toArray(); // 100..1, unsorted

        Latencies latencies = Latencies.of(hundred);

        assertThat(latencies.p50Nanos()).isEqualTo(50);
        assertThat(latencies.p99Nanos()).isEqualTo(99);
        assertThat(latencies.maxNanos()).isEqualTo(100);
        assertThat(hundred[0]).as("the caller's samples stay as they were").isEqualTo(100);
    }

    @Test
    void oneSampleIsEveryPercentile() {
        Latencies one = Latencies.of(new long[] {42_000});

        assertThat(one.p50Nanos()).isEqualTo(42_000);
        assertThat(one.p99Nanos()).isEqualTo(42_000);
        assertThat(one.describe()).isEqualTo("p50 42.0 µs, p99 42.0 µs, max 42.0 µs");
    }

    @ParameterizedTest
    @CsvSource({"850, 850 ns", "62140, 62.1 µs", "180400, 180 µs", "1200000, 1.20 ms", "2500000000, 2.50 s"})
    void durationsUseTheirBestUnit(long nanos, String text) {
        assertThat(Latencies.duration(nanos)).isEqualTo(text);
    }

    @Test
    void throughputIsInDecimalMegabytes() {
        Throughput oneGigabytePerSecond = new Throughput(1_000_000_000, 1_000_000_000);

        assertThat(oneGigabytePerSecond.megabytesPerSecond()).isEqualTo(1000.0);
        assertThat(oneGigabytePerSecond.describe()).isEqualTo("1000 MB/s (8.00 Gbit/s)");
    }
}
