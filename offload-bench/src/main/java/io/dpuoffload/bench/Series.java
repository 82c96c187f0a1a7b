package io.dpuoffload.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The values a DPU side measured, one per run for each column and row ({@code "sshfs.seq_write": [212.4, 220.9]}),
 * as the fs and ipc reports carry them to the orchestrator in one JSON line; and that line's reading and writing.
 */
public final class Series {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Series() {}

    /** The key of a column's row: {@code "sshfs.seq_write"}. */
    public static String key(String column, Quantity row) {
        return column + "." + row.key();
    }

    /** A deep, mutable copy, so a report record never shares its lists. */
    public static Map<String, List<Double>> copy(Map<String, List<Double>> series) {
        Map<String, List<Double>> copy = new LinkedHashMap<>();
        series.forEach((key, values) -> copy.put(key, new ArrayList<>(values)));
        return copy;
    }

    /** {@code series} with one more value for {@code key}; {@code series} itself is left as it was. */
    public static Map<String, List<Double>> with(Map<String, List<Double>> series, String key, double value) {
        Map<String, List<Double>> next = copy(series);
        next.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        return next;
    }

    /** The median over the runs (the lower middle one for an even count); empty when not measured. */
    public static Optional<Double> median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.isEmpty() ? Optional.empty() : Optional.of(sorted.get((sorted.size() - 1) / 2));
    }

    public static String toJson(Object report) {
        try {
            return JSON.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the bench report: " + e.getMessage(), e);
        }
    }

    public static <T> T fromJson(String line, Class<T> type) {
        try {
            return JSON.readValue(line, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a bench report: " + e.getOriginalMessage() + ": " + line, e);
        }
    }
}
