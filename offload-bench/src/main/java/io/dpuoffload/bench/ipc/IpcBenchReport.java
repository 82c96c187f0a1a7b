package io.dpuoffload.bench.ipc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the DPU side measured, carried to {@code offload-bench ipc} as one JSON line: one value per run for each bridge and
 * metric ({@code "socat.stream_mb_s": [812.4, 790.1, 830.0]}).
 */
record IpcBenchReport(IpcBenchLoad load, Map<String, List<Double>> series) {

    private static final ObjectMapper JSON = new ObjectMapper();

    IpcBenchReport {
        series = copy(series);
    }

    static IpcBenchReport empty(IpcBenchLoad load) {
        return new IpcBenchReport(load, Map.of());
    }

    IpcBenchReport with(Bridge bridge, Metric metric, double value) {
        Map<String, List<Double>> next = copy(series);
        next.computeIfAbsent(key(bridge, metric), k -> new ArrayList<>()).add(value);
        return new IpcBenchReport(load, next);
    }

    List<Double> values(Bridge bridge, Metric metric) {
        return series.getOrDefault(key(bridge, metric), List.of());
    }

    /** The median over the runs (the lower middle one for an even count); empty when not measured. */
    Optional<Double> median(Bridge bridge, Metric metric) {
        List<Double> sorted = values(bridge, metric).stream().sorted().toList();
        return sorted.isEmpty() ? Optional.empty() : Optional.of(sorted.get((sorted.size() - 1) / 2));
    }

    String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the bench report: " + e.getMessage(), e);
        }
    }

    static IpcBenchReport fromJson(String line) {
        try {
            return JSON.readValue(line, IpcBenchReport.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a bench report: " + e.getOriginalMessage() + ": " + line, e);
        }
    }

    static String key(Bridge bridge, Metric metric) {
        return bridge.key + "." + metric.key;
    }

    private static Map<String, List<Double>> copy(Map<String, List<Double>> series) {
        Map<String, List<Double>> copy = new LinkedHashMap<>();
        series.forEach((key, values) -> copy.put(key, new ArrayList<>(values)));
        return copy;
    }
}
