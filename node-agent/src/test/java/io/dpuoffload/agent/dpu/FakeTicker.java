package io.dpuoffload.agent.dpu;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time that passes when the supervisor sleeps, at once: each sleep is recorded with the thread that
 * slept (the watcher's back-off, the health checks' interval, the readiness polls) and moves the
 * clock on. A real millisecond per sleep keeps the loops that sleep from spinning.
 */
final class FakeTicker implements Ticker {
    record Sleep(String thread, Duration duration) {}

    private final AtomicLong now = new AtomicLong();
    final List<Sleep> sleeps = new CopyOnWriteArrayList<>();

    @Override
    public long nanoTime() {
        return now.get();
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        sleeps.add(new Sleep(Thread.currentThread().getName(), duration));
        now.addAndGet(duration.toNanos());
        Thread.sleep(1);
    }

    /** The sleeps of the thread named {@code thread}, in order. */
    List<Duration> of(String thread) {
        return sleeps.stream()
                .filter(s -> s.thread().equals(thread))
                .map(Sleep::duration)
                .toList();
    }
}
