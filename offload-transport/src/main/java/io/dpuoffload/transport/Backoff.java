package io.dpuoffload.transport;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter: attempt n waits a random time in [0, min(max, initial·2ⁿ)].
 * Jitter keeps a fleet of DPUs from reconnecting to restarted hosts in lockstep.
 */
public record Backoff(Duration initial, Duration max) {
    public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));

    public Backoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + ", " + max);
        }
    }

    /** The ceiling of attempt {@code attempt} (0-based), before jitter. */
    public Duration ceiling(int attempt) {
        int shift = Math.min(attempt, 30);
        long nanos = initial.toNanos() << shift;
        return nanos <= 0 || nanos > max.toNanos() ? max : Duration.ofNanos(nanos);
    }

    public Duration delay(int attempt) {
        return Duration.ofNanos(
                ThreadLocalRandom.current().nextLong(ceiling(attempt).toNanos() + 1));
    }
}
