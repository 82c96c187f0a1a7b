package io.dpuoffload.bench;

import java.util.Locale;
import java.util.Optional;

/**
 * What one row of a comparison table measures: its key in the report's JSON ({@code seq_write}), the unit of its
 * cells, and which way is better, which says whether a ratio above 1 is a win.
 */
public record Quantity(String key, String unit, boolean higherIsBetter) {

    /** A rate: more per second is better. */
    public static Quantity rate(String key, String unit) {
        return new Quantity(key, unit, true);
    }

    /** A time: less is better. */
    public static Quantity time(String key, String unit) {
        return new Quantity(key, unit, false);
    }

    /** "1,234 MB/s", "48.5 µs", or "n/a" when not measured. */
    public String cell(Optional<Double> value) {
        return value.map(v -> String.format(Locale.ROOT, v >= 100 ? "%,.0f %s" : "%.1f %s", v, unit))
                .orElse("n/a");
    }
}
