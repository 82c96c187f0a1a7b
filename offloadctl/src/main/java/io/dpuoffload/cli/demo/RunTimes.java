package io.dpuoffload.cli.demo;

import io.dpuoffload.topology.CommandResult;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Wall-clock times of a command run again and again: untimed runs first (they warm the page cache,
 * unpack what is not yet unpacked, start what starts lazily, and let the agents' JIT compile their
 * hot paths, as in an agent that has run for a while), then {@code runs} timed ones. A failed run
 * ends the measurement with its error.
 */
record RunTimes(List<Double> sortedMillis) {

    /** @param command run number {@code i} (the first {@code warmUps} untimed), for names that must differ per run */
    static RunTimes measure(int warmUps, int runs, String what, IntFunction<CommandResult> command) {
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < warmUps + runs; i++) {
            long start = System.nanoTime();
            CommandResult result = command.apply(i);
            double took = (System.nanoTime() - start) / 1e6;
            if (result.exitCode() != 0) {
                throw new IllegalStateException(
                        what + " failed (run " + i + "): " + result.stderr().strip());
            }
            if (i >= warmUps) {
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
