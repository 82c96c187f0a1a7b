package io.dpuoffload.bench.fs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the DPU side measured, carried to {@code offload-bench fs} as one JSON line: one value per run for each file system and
 * row ({@code "sshfs.seq_write": [212.4, 220.9, 218.0]}), and notes on how (the cipher, page cache checks, why a row
 * could not be measured).
 */
record FsBenchReport(BenchLoad load, Map<String, List<Double>> series, Map<String, String> notes) {

    private static final ObjectMapper JSON = new ObjectMapper();

    FsBenchReport {
        series = copy(series);
        notes = new LinkedHashMap<>(notes);
    }

    static FsBenchReport empty(BenchLoad load) {
        return new FsBenchReport(load, Map.of(), Map.of());
    }

    FsBenchReport with(FsKind fs, Row row, double value) {
        Map<String, List<Double>> next = copy(series);
        next.computeIfAbsent(key(fs, row), k -> new ArrayList<>()).add(value);
        return new FsBenchReport(load, next, notes);
    }

    FsBenchReport withNote(String key, String value) {
        Map<String, String> next = new LinkedHashMap<>(notes);
        next.put(key, value);
        return new FsBenchReport(load, series, next);
    }

    List<Double> values(FsKind fs, Row row) {
        return series.getOrDefault(key(fs, row), List.of());
    }

    /** The median over the runs (the lower middle one for an even count); empty when not measured. */
    Optional<Double> median(FsKind fs, Row row) {
        List<Double> sorted = values(fs, row).stream().sorted().toList();
        return sorted.isEmpty() ? Optional.empty() : Optional.of(sorted.get((sorted.size() - 1) / 2));
    }

    Optional<String> note(String key) {
        return Optional.ofNullable(notes.get(key));
    }

    String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the bench report: " + e.getMessage(), e);
        }
    }

    static FsBenchReport fromJson(String line) {
        try {
            return JSON.readValue(line, FsBenchReport.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a bench report: " + e.getOriginalMessage() + ": " + line, e);
        }
    }

    static String key(FsKind fs, Row row) {
        return fs.key + "." + row.key;
    }

    private static Map<String, List<Double>> copy(Map<String, List<Double>> series) {
        Map<String, List<Double>> copy = new LinkedHashMap<>();
        series.forEach((key, values) -> copy.put(key, new ArrayList<>(values)));
        return copy;
    }
}
