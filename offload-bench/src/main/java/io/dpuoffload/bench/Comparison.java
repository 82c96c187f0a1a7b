package io.dpuoffload.bench;

import java.util.Locale;
import java.util.Optional;

/**
 * One row of the fs and ipc tables: the medians of the limit (the DPU's own tmpfs or socket), of what users would
 * otherwise use (sshfs, socat) and of ours, and ours' ratio to each. Each is empty when it was not measured.
 */
public record Comparison(Optional<Double> limit, Optional<Double> usual, Optional<Double> ours) {

    /** Ours over the usual tool: above 1 is faster for a rate, slower for a time. */
    public Optional<Double> overUsual() {
        return Cells.ratio(ours, usual);
    }

    /** Ours over the limit. */
    public Optional<Double> overLimit() {
        return Cells.ratio(ours, limit);
    }

    /**
     * The row as {@code format} lays it out, with six {@code %s}: the label, the three values in {@code quantity}'s
     * unit, then ours over the usual tool and ours over the limit.
     */
    public String line(String format, String label, Quantity quantity) {
        return String.format(
                Locale.ROOT,
                format,
                label,
                quantity.cell(limit),
                quantity.cell(usual),
                quantity.cell(ours),
                Cells.format(overUsual()),
                Cells.format(overLimit()));
    }
}
