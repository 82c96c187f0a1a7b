package io.dpuoffload.agent.dpu;

import java.time.Duration;

/**
 * The supervisor's time: deadlines (readiness, an earlier instance's end), the restart back-off and
 * the health checks' interval. The unit tests give it one that records each wait and lets it pass
 * at once, so back-off and timeouts are checked without waiting for them.
 */
interface Ticker {
    /** As {@link System#nanoTime()}: only differences count. */
    long nanoTime();

    void sleep(Duration duration) throws InterruptedException;

    Ticker SYSTEM = new Ticker() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(Duration duration) throws InterruptedException {
            Thread.sleep(duration);
        }
    };
}
