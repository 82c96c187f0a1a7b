package io.dpuoffload.e2e.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.bench.OffloadBench;
import io.dpuoffload.topology.TopologyExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code offload-bench transport} with small sizes: both sides measured, the table printed, nothing left behind. */
@ExtendWith(TopologyExtension.class)
class TransportBenchIT {

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void measuresTheChannelAgainstPlainTcpAndCleansUp() throws Exception {
        CapturedStdout run = CapturedStdout.of(() -> OffloadBench.execute(
                "transport", "--bytes", "8MiB", "--requests", "200", "--streams", "2", "--runs", "2"));

        assertThat(run.exitCode()).as(run.out()).isZero();
        assertThat(run.out())
                .containsPattern("throughput, 1 stream of 8\\.00 MiB +\\d+ MB/s +\\d+ MB/s +\\d+\\.\\d\\d")
                .containsPattern("throughput, 2 streams at once +\\d+ MB/s +\\d+ MB/s")
                .containsPattern("round trip of 64 B, p50 +[0-9.]+ [µm]?s +[0-9.]+ [µm]?s +\\d+\\.\\d\\d")
                .containsPattern("round trip of 64 B, p99 ")
                .contains("median of 2 runs")
                .containsPattern("Machine: \\d+ cores")
                .containsPattern("Raw: \\{\"bytes\":8388608,");
        Leftovers.assertNoneAfter(run.out(), 2);
    }
}
