package io.dpuoffload.bench.fs;

import java.time.Duration;

/**
 * The time one measurement may take. Every loop is bounded in count and checks one of these too, so a file system
 * that slows to a crawl ends the run with a message instead of running on.
 */
record Budget(String phase, Duration limit, long deadlineNanos) {

    /** The slowest row at the largest sizes over sshfs takes well under a minute here; five is a stuck run. */
    static final Duration PER_MEASUREMENT = Duration.ofMinutes(5);

    static Budget start(String phase) {
        return new Budget(phase, PER_MEASUREMENT, System.nanoTime() + PER_MEASUREMENT.toNanos());
    }

    void check() {
        if (System.nanoTime() - deadlineNanos > 0) {
            throw new IllegalStateException(phase + " did not finish within " + limit.toMinutes()
                    + " min; the file system is stuck or far slower than expected");
        }
    }
}
