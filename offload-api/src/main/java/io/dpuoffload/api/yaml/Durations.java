package io.dpuoffload.api.yaml;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/**
 * Durations as people write them in a configuration: {@code 500ms}, {@code 30s}, {@code 10m},
 * {@code 2h} (or ISO-8601, {@code PT30S}); written back in the largest unit that is exact.
 */
public final class Durations {
    /** The forms {@link #parse} takes, for error messages. */
    public static final String FORMS = "500ms, 30s, 10m or 2h";

    private Durations() {}

    /** The duration {@code text} names, or empty when it is not one. */
    public static Optional<Duration> parse(String text) {
        String lower = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (lower.endsWith("ms")) {
                return Optional.of(Duration.ofMillis(Long.parseLong(lower.substring(0, lower.length() - 2))));
            }
            if (lower.endsWith("s") && !lower.startsWith("p")) {
                return Optional.of(Duration.ofSeconds(Long.parseLong(lower.substring(0, lower.length() - 1))));
            }
            if (lower.endsWith("m") && !lower.startsWith("p")) {
                return Optional.of(Duration.ofMinutes(Long.parseLong(lower.substring(0, lower.length() - 1))));
            }
            if (lower.endsWith("h") && !lower.startsWith("p")) {
                return Optional.of(Duration.ofHours(Long.parseLong(lower.substring(0, lower.length() - 1))));
            }
            return Optional.of(Duration.parse(text.strip()));
        } catch (NumberFormatException | DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** {@code duration} in the largest exact unit: {@code 2h}, {@code 10m}, {@code 30s}, {@code 1500ms}. */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis != 0 && millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis != 0 && millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }
}
