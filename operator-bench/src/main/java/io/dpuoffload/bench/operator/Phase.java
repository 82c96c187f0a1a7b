package io.dpuoffload.bench.operator;

/**
 * One measured phase: how long it took, and what the operator did and used meanwhile.
 *
 * @param pairs how many pairs the phase waited for (all pairs Ready; pairs updated in a rollout)
 * @param done how many got there (fewer when the phase timed out)
 * @param reconciles reconciles the operator finished in the phase, both controllers (success and failure)
 * @param failedReconciles of which failed (an exception in the reconciler)
 * @param cpuSeconds the operator process's CPU time in the phase (user + system, all threads)
 * @param benchCpuSeconds the benchmark JVM's CPU time in the phase: the mock API server and the agents
 * @param rssMib its resident memory at the end of the phase
 * @param peakRssMib its peak resident memory since it started (VmHWM)
 */
record Phase(
        String name,
        int pairs,
        long done,
        double seconds,
        long reconciles,
        long failedReconciles,
        double cpuSeconds,
        double benchCpuSeconds,
        double rssMib,
        double peakRssMib) {

    boolean complete() {
        return done >= pairs;
    }

    double reconcilesPerSecond() {
        return seconds > 0 ? reconciles / seconds : 0;
    }

    double pairsPerSecond() {
        return seconds > 0 ? done / seconds : 0;
    }

    /** The operator's CPU use as a share of one core. */
    double cpuPercent() {
        return seconds > 0 ? 100 * cpuSeconds / seconds : 0;
    }
}
