package io.dpuoffload.bench.fs;

import io.dpuoffload.bench.Series;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the DPU side measured, carried to {@code offload-bench fs} as one JSON line: one value per run for each file
 * system and row ({@code "sshfs.seq_write": [212.4, 220.9, 218.0]}, see {@link Series}), and notes on how (the cipher,
 * page cache checks, why a row could not be measured).
 */
record FsBenchReport(BenchLoad load, Map<String, List<Double>> series, Map<String, String> notes) {

    FsBenchReport {
        series = Series.copy(series);
        notes = new LinkedHashMap<>(notes);
    }

    static FsBenchReport empty(BenchLoad load) {
        return new FsBenchReport(load, Map.of(), Map.of());
    }

    FsBenchReport with(FsKind fs, Row row, double value) {
        return new FsBenchReport(load, Series.with(series, key(fs, row), value), notes);
    }

    FsBenchReport withNote(String key, String value) {
        Map<String, String> next = new LinkedHashMap<>(notes);
        next.put(key, value);
        return new FsBenchReport(load, series, next);
    }

    List<Double> values(FsKind fs, Row row) {
        return series.getOrDefault(key(fs, row), List.of());
    }

    Optional<Double> median(FsKind fs, Row row) {
        return Series.median(values(fs, row));
    }

    Optional<String> note(String key) {
        return Optional.ofNullable(notes.get(key));
    }

    String toJson() {
        return Series.toJson(this);
    }

    static FsBenchReport fromJson(String line) {
        return Series.fromJson(line, FsBenchReport.class);
    }

    static String key(FsKind fs, Row row) {
        return Series.key(fs.key, row.quantity);
    }
}
