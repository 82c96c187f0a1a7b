package io.dpuoffload.e2e.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.cli.Offloadctl;
import io.dpuoffload.topology.TopologyExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's main command, {@code offloadctl channel demo}, for real: two network namespaces, the probe across the
 * veth pair between them over mutual TLS, the impostor refused, and nothing left behind. Needs root; the topology
 * extension skips it without (and fails it under CI, where root is part of the machine).
 */
@ExtendWith(TopologyExtension.class)
class ChannelDemoIT {

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void theDpuReachesTheHostAcrossTheVethPairOverMutualTlsAndAnImpostorIsRefused() throws Exception {
        CapturedStdout run =
                CapturedStdout.of(() -> Offloadctl.execute("channel", "demo", "--requests", "50", "--bytes", "1MiB"));

        assertThat(run.exitCode()).as(run.out()).isZero();
        assertThat(run.out())
                .contains("Connected to node host-1 (pair demo) at tcp://198.51.100.1:7000 over mutual TLS 1.3")
                .contains("the host's sink counted all 1,048,576 bytes")
                .containsPattern("dpu-1 +netns dpuo-\\S+ +198\\.51\\.100\\.2 +channel probe, pid \\d+: reached node"
                        + " host-1 over mutual TLS 1\\.3")
                .containsPattern("round trips +50 x 64 B: p50 ")
                .containsPattern("host: +.*refused peer 198\\.51\\.100\\.2:\\d+: TLS handshake failed")
                .containsPattern("impostor, pid \\d+: refused by the host \\(exit code 4\\)");
        Leftovers.assertNoneAfter(run.out(), 3);
    }
}
