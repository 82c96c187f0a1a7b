package io.dpuoffload.bench;

import java.util.Locale;
import java.util.Optional;

/** The cells the comparison tables share: ratios of medians, and the runs they are medians of. */
public final class Cells {

    private Cells() {}

    /** numerator / denominator, empty when either was not measured or the denominator is 0. */
    public static Optional<Double> ratio(Optional<Double> numerator, Optional<Double> denominator) {
        return numerator.flatMap(n -> denominator.filter(d -> d > 0).map(d -> n / d));
    }

    /** "1.23", or "n/a". */
    public static String format(Optional<Double> ratio) {
        return ratio.map(r -> String.format(Locale.ROOT, "%.2f", r)).orElse("n/a");
    }

    /** "1 run" or "Median of 3 runs", the start of a table's first note. */
    public static String runs(int runs) {
        return runs == 1 ? "1 run" : "Median of " + runs + " runs";
    }
}
