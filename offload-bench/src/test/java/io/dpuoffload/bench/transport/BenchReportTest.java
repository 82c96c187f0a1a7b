package io.dpuoffload.bench.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpuoffload.bench.transport.BenchReport.Metric;
import io.dpuoffload.bench.transport.BenchReport.Side;
import io.dpuoffload.cli.MachineInfo;
import io.dpuoffload.cli.channel.ByteSize;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchReportTest {

    private static final MachineInfo MACHINE =
            new MachineInfo(2, "Test CPU", "Linux 6.1.0", "Java 25", LocalDate.of(2026, 1, 2));

    @Test
    void survivesItsJsonLine() {
        BenchReport report = BenchReport.empty(ByteSize.GIB, 20_000, 4)
                .with(Side.CHANNEL, Metric.STREAM, 812.25)
                .with(Side.TCP, Metric.STREAM, 2950.5)
                .with(Side.CHANNEL, Metric.ECHO_P50, 48.2)
                .with(Side.CHANNEL, Metric.ECHO_P50, 47.9);

        String json = report.toJson();
        BenchReport read = BenchReport.fromJson(json);

        assertThat(json)
                .startsWith("{\"bytes\":1073741824,\"requests\":20000,\"streams\":4,")
                .doesNotContain("\n");
        assertThat(read).isEqualTo(report);
        assertThat(read.values(Side.CHANNEL, Metric.ECHO_P50)).containsExactly(48.2, 47.9);
    }

    @Test
    void theMedianIsTheMiddleRun() {
        BenchReport report = BenchReport.empty(1, 1, 1)
                .with(Side.TCP, Metric.STREAM, 300)
                .with(Side.TCP, Metric.STREAM, 100)
                .with(Side.TCP, Metric.STREAM, 200);

        assertThat(report.median(Side.TCP, Metric.STREAM)).isEqualTo(200);
        assertThat(report.median(Side.CHANNEL, Metric.STREAM)).isNaN();
    }

    @Test
    void aLineThatIsNoReportSaysSo() {
        assertThatThrownBy(() -> BenchReport.fromJson("Exception in thread main"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a bench report");
        assertThatThrownBy(() -> BenchReport.fromJson("{\"bytes\":1}")).hasMessageContaining("lacks \"requests\"");
    }

    @Test
    void theTableShowsBothSidesAndTheirRatio() {
        BenchReport report = BenchReport.empty(ByteSize.GIB, 20_000, 4)
                .with(Side.CHANNEL, Metric.STREAM, 800)
                .with(Side.TCP, Metric.STREAM, 2000)
                .with(Side.CHANNEL, Metric.PARALLEL, 900)
                .with(Side.TCP, Metric.PARALLEL, 3000)
                .with(Side.CHANNEL, Metric.ECHO_P50, 50)
                .with(Side.TCP, Metric.ECHO_P50, 20)
                .with(Side.CHANNEL, Metric.ECHO_P99, 2500)
                .with(Side.TCP, Metric.ECHO_P99, 100);

        List<String> table = BenchTable.render(report, 1, MACHINE);

        assertThat(table.get(0)).contains("our channel", "plain TCP", "ours/plain");
        assertThat(table).anySatisfy(line -> assertThat(line)
                .contains("throughput, 1 stream of 1.00 GiB", "800 MB/s", "2000 MB/s", "0.40"));
        assertThat(table).anySatisfy(line -> assertThat(line)
                .contains("throughput, 4 streams at once", "900 MB/s", "3000 MB/s", "0.30"));
        assertThat(table)
                .anySatisfy(line -> assertThat(line).contains("round trip of 64 B, p50", "50.0 µs", "20.0 µs", "2.50"));
        assertThat(table)
                .anySatisfy(line -> assertThat(line).contains("round trip of 64 B, p99", "2.50 ms", "100 µs", "25.00"));
        assertThat(table).anySatisfy(line -> assertThat(line)
                .contains("Machine: 2 cores (Test CPU), Linux 6.1.0, Java 25, 2026-01-02"));
    }

    @Test
    void withOneStreamTheParallelRowIsLeftOut() {
        BenchReport report = BenchReport.empty(ByteSize.MIB, 10, 1)
                .with(Side.CHANNEL, Metric.STREAM, 1)
                .with(Side.TCP, Metric.STREAM, 2)
                .with(Side.CHANNEL, Metric.ECHO_P50, 1)
                .with(Side.TCP, Metric.ECHO_P50, 1)
                .with(Side.CHANNEL, Metric.ECHO_P99, 1)
                .with(Side.TCP, Metric.ECHO_P99, 1);

        assertThat(BenchTable.render(report, 3, MACHINE))
                .noneSatisfy(line -> assertThat(line).contains("at once"))
                .anySatisfy(line -> assertThat(line).contains("median of 3 runs"));
    }
}
