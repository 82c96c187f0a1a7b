package io.dpuoffload.cli.channel;

import io.dpuoffload.cli.BadInputException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte counts as people write them: {@code 65536}, {@code 64KiB}, {@code 64MiB}, {@code 1GiB}. Only binary units: "1GB"
 * means 10^9 to some readers and 2^30 to others, so it is refused with a hint instead of guessed.
 */
public final class ByteSize {

    public static final long KIB = 1024;
    public static final long MIB = 1024 * KIB;
    public static final long GIB = 1024 * MIB;
    public static final long TIB = 1024 * GIB;

    static final String FORMS =
            "use a whole number of bytes, optionally with KiB, MiB, GiB or TiB (e.g. 65536, 64MiB, 1GiB)";

    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})\\s*([A-Za-z]*)");

    private ByteSize() {}

    /**
     * Parses {@code text} for {@code option} (named in the error).
     *
     * @throws BadInputException naming the option, the value and the accepted forms
     */
    public static long parse(String option, String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw bad(option, text, "");
        }
        long multiplier =
                switch (m.group(2).toLowerCase(Locale.ROOT)) {
                    case "", "b" -> 1;
                    case "kib" -> KIB;
                    case "mib" -> MIB;
                    case "gib" -> GIB;
                    case "tib" -> TIB;
                    case "k", "kb", "m", "mb", "g", "gb", "t", "tb" ->
                        throw bad(
                                option,
                                text,
                                " (" + m.group(2) + " is ambiguous: write "
                                        + m.group(2).substring(0, 1).toUpperCase(Locale.ROOT) + "iB for binary units)");
                    default -> throw bad(option, text, " (unknown unit '" + m.group(2) + "')");
                };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), multiplier);
        } catch (ArithmeticException | NumberFormatException e) {
            throw bad(option, text, " (too large)");
        }
    }

    /** Parses and checks {@code min <= size <= max}; the error names both bounds. */
    public static long parse(String option, String text, long min, long max) {
        long size = parse(option, text);
        if (size < min || size > max) {
            throw new BadInputException(option + ": " + text + " is outside " + format(min) + " to " + format(max));
        }
        return size;
    }

    /** "64 B", "1.5 KiB", "64.0 MiB", "1.00 GiB": three significant digits at most. */
    public static String format(long bytes) {
        if (bytes < KIB) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double value = bytes;
        int unit = -1;
        while (value >= KIB && unit < units.length - 1) {
            value /= KIB;
            unit++;
        }
        String number = value >= 100
                ? String.format(Locale.ROOT, "%.0f", value)
                : value >= 10 ? String.format(Locale.ROOT, "%.1f", value) : String.format(Locale.ROOT, "%.2f", value);
        return number + " " + units[unit];
    }

    private static BadInputException bad(String option, String text, String why) {
        return new BadInputException(option + ": '" + text + "' is not a size" + why + "; " + FORMS);
    }
}
