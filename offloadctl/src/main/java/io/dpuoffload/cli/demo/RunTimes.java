package io.dpuoffload.cli.demo;

import io.dpuoffload.topology.CommandResult;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Wall-clock times of a command run again and again: one untimed run first (it warms the page
 * cache, unpacks what is not yet unpacked, and starts what starts lazily), then {@code runs} timed
 * ones. A failed run ends the measurement with its error.
 */
record RunTimes(List<Double> sortedMillis) {

    /** @param command run number {@code i} (0 is the warm-up), for names that must differ per run */
    static RunTimes measure(int runs, String what, IntFunction<CommandResult> command) {
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i <= runs; i++) {
            long start = System.nanoTime();
            CommandResult result = command.apply(i);
            double took = (System.nanoTime() - start) / 1e6;
            if (result.exitCode() != 0) {
                throw new IllegalStateException(
                        what + " failed (run " + i + "): " + result.stderr().strip());
            }
            if (i > 0) {
                millis.add(took);
            }
        }
        millis.sort(Double::compare);
        return new RunTimes(List.copyOf(millis));
    }

    double median() {
        int n = sortedMillis.size();
        return n % 2 == 1 ? sortedMillis.get(n / 2) : (sortedMillis.get(n / 2 - 1) + sortedMillis.get(n / 2)) / 2;
    }

    double min() {
        return sortedMillis.getFirst();
    }
}
