package io.dpuoffload.bench.operator;

/**
 * The operator's counters at one moment: its finished reconciles (from /metrics), CPU time and
 * memory; and the CPU time of this JVM (the mock API server and the simulated agents).
 */
record Sample(
        long nanos, double reconciles, double failed, double cpuSeconds, double benchCpuSeconds, ProcMemory memory) {
    /** JOSDK's Micrometer counters, both controllers together (micrometer-support's MicrometerMetrics). */
    static final String SUCCESS = "operator_sdk_reconciliations_success_total";

    static final String FAILED = "operator_sdk_reconciliations_failed_total";

    static Sample of(OperatorProcess operator) {
        String metrics = operator.scrape();
        return new Sample(
                System.nanoTime(),
                PromText.sum(metrics, SUCCESS),
                PromText.sum(metrics, FAILED),
                operator.cpu().toNanos() / 1e9,
                ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos() / 1e9,
                operator.memory());
    }

    Phase since(Sample start, String name, int pairs, long done) {
        return new Phase(
                name,
                pairs,
                done,
                (nanos - start.nanos) / 1e9,
                Math.round(reconciles - start.reconciles + failed - start.failed),
                Math.round(failed - start.failed),
                cpuSeconds - start.cpuSeconds,
                benchCpuSeconds - start.benchCpuSeconds,
                memory.rssMib(),
                memory.peakMib());
    }
}
