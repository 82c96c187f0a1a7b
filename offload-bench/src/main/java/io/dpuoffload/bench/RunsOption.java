package io.dpuoffload.bench;

import io.dpuoffload.cli.channel.OptionValues;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code --runs N}, a mixin of the fs and ipc benchmarks: how often every row is measured; the table shows the median. */
public final class RunsOption {

    /** More runs than this only make a run long; the median of a few is what the table shows. */
    public static final int MAX_RUNS = 20;

    @Option(
            names = "--runs",
            paramLabel = "N",
            defaultValue = "3",
            description = "Measure every row N times and show the median (default: ${DEFAULT-VALUE}).")
    int runs;

    /** The value, checked: out of range is a usage error. */
    public int check(CommandSpec spec) {
        return OptionValues.count(spec, "--runs", runs, 1, MAX_RUNS);
    }
}
