package io.dpuoffload.bench.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.cli.MachineInfo;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IpcBenchTableTest {

    private static final IpcBenchLoad LOAD = new IpcBenchLoad(1L << 30, 20_000, 3);
    private static final MachineInfo MACHINE =
            new MachineInfo(2, "Test CPU", "Linux 6.1.0", "Java 25", LocalDate.of(2026, 1, 2));

    @Test
    void theReportSurvivesItsJsonLineAndShowsTheMedianRun() {
        IpcBenchReport report = IpcBenchReport.empty(LOAD)
                .with(Bridge.SOCAT, Metric.STREAM, 300)
                .with(Bridge.SOCAT, Metric.STREAM, 100)
                .with(Bridge.SOCAT, Metric.STREAM, 200.5);

        String json = report.toJson();

        assertThat(json).doesNotContain("\n").startsWith("{");
        assertThat(IpcBenchReport.fromJson(json)).isEqualTo(report);
        assertThat(report.median(Bridge.SOCAT, Metric.STREAM)).contains(200.5);
        assertThat(report.median(Bridge.DIRECT, Metric.PING_P99)).isEmpty();
    }

    @Test
    void ratiosAreOffloadIpcOverTheOthersAndGoalsReadEachRowsDirection() {
        IpcBenchReport report = IpcBenchReport.empty(LOAD)
                .with(Bridge.DIRECT, Metric.STREAM, 4000)
                .with(Bridge.SOCAT, Metric.STREAM, 400)
                .with(Bridge.OFFLOAD_IPC, Metric.STREAM, 500)
                .with(Bridge.DIRECT, Metric.PING_P50, 20)
                .with(Bridge.SOCAT, Metric.PING_P50, 100)
                .with(Bridge.OFFLOAD_IPC, Metric.PING_P50, 150)
                .with(Bridge.DIRECT, Metric.PING_P99, 50)
                .with(Bridge.SOCAT, Metric.PING_P99, 300);

        List<String> lines = IpcBenchTable.render(report, MACHINE, "1.0 at the start");

        assertThat(lines)
                .anySatisfy(line -> assertThat(line)
                        .contains("stream of 1.00 GiB")
                        .contains("4,000 MB/s")
                        .contains("1.25")
                        .contains("0.13"))
                .anySatisfy(line -> assertThat(line)
                        .contains("p50 of 20000")
                        .contains("20.0 µs")
                        .contains("1.50")
                        .contains("7.50"))
                .anySatisfy(line -> assertThat(line).contains("p99 of 20000").contains("n/a"))
                .anySatisfy(line -> assertThat(line)
                        .contains("throughput >= socat: met (1.25)")
                        .contains("p50 <= socat: missed (1.50)")
                        .contains("p99 <= socat: not measured"))
                .anySatisfy(line -> assertThat(line).contains("2 cores (Test CPU)"));
    }

    @Test
    void aRoundTripLevelWithSocatMeetsTheGoal() {
        assertThat(IpcBenchTable.goal(Metric.PING_P99, Optional.of(1.0))).isEqualTo("p99 <= socat: met (1.00)");
        assertThat(IpcBenchTable.goal(Metric.STREAM, Optional.of(0.99)))
                .isEqualTo("throughput >= socat: missed (0.99)");
    }
}
