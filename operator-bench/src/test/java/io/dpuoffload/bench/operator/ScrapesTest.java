package io.dpuoffload.bench.operator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the benchmark reads from the operator and the mock server: counters, memory, request kinds. */
class ScrapesTest {

    @Test
    void aCounterIsTheSumOfItsSeriesAndNotOfLongerNames() {
        String metrics = """
                # HELP operator_sdk_reconciliations_success_total
                # TYPE operator_sdk_reconciliations_success_total counter
                operator_sdk_reconciliations_success_total{controller="offloadnode"} 1200.0
                operator_sdk_reconciliations_success_total{controller="offloadprofile"} 34.0
                operator_sdk_reconciliations_success_total_other 7.0
                operator_sdk_reconciliations_failed_total 2
                """;

        assertThat(PromText.sum(metrics, "operator_sdk_reconciliations_success_total"))
                .isEqualTo(1234.0);
        assertThat(PromText.sum(metrics, "operator_sdk_reconciliations_failed_total"))
                .isEqualTo(2.0);
        assertThat(PromText.sum(metrics, "operator_sdk_nonesuch")).isZero();
    }

    @Test
    void memoryIsReadFromProcStatus() {
        String status = """
                Name:	java
                VmPeak:	 3000000 kB
                VmHWM:	  204800 kB
                VmRSS:	  153600 kB
                Threads:	70
                """;

        ProcMemory memory = ProcMemory.parse(status);

        assertThat(memory.rssMib()).isEqualTo(150.0);
        assertThat(memory.peakMib()).isEqualTo(200.0);
    }

    @Test
    void thisProcessHasAResidentSetBelowItsPeak() {
        ProcMemory memory = ProcMemory.of(ProcessHandle.current().pid());

        assertThat(memory.rssKib()).isPositive().isLessThanOrEqualTo(memory.peakKib());
    }

    @Test
    void requestsAreCountedByMethodAndResourceWithoutNames() {
        assertThat(RequestCounts.describe("GET", "/api/v1/namespaces/dpu-offload/events/pair-001.abc"))
                .isEqualTo("GET events");
        assertThat(RequestCounts.describe(
                        "PATCH", "/apis/dpuoffload.io/v1alpha1/offloadnodes/pair-001/status?fieldManager=x"))
                .isEqualTo("PATCH offloadnodes/status");
        assertThat(RequestCounts.describe("GET", "/apis/dpuoffload.io/v1alpha1/offloadnodes?watch=true&rv=1"))
                .isEqualTo("WATCH offloadnodes");
        assertThat(RequestCounts.describe("GET", "/api/v1/namespaces/dpu-offload"))
                .isEqualTo("GET namespaces");
        assertThat(RequestCounts.describe("POST", "/apis/coordination.k8s.io/v1/namespaces/dpu-offload/leases"))
                .isEqualTo("POST leases");
    }
}
