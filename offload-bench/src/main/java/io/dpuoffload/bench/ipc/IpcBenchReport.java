package io.dpuoffload.bench.ipc;

import io.dpuoffload.bench.Series;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the DPU side measured, carried to {@code offload-bench ipc} as one JSON line: one value per run for each bridge
 * and metric ({@code "socat.stream_mb_s": [812.4, 790.1, 830.0]}, see {@link Series}).
 */
record IpcBenchReport(IpcBenchLoad load, Map<String, List<Double>> series) {

    IpcBenchReport {
        series = Series.copy(series);
    }

    static IpcBenchReport empty(IpcBenchLoad load) {
        return new IpcBenchReport(load, Map.of());
    }

    IpcBenchReport with(Bridge bridge, Metric metric, double value) {
        return new IpcBenchReport(load, Series.with(series, key(bridge, metric), value));
    }

    List<Double> values(Bridge bridge, Metric metric) {
        return series.getOrDefault(key(bridge, metric), List.of());
    }

    Optional<Double> median(Bridge bridge, Metric metric) {
        return Series.median(values(bridge, metric));
    }

    String toJson() {
        return Series.toJson(this);
    }

    static IpcBenchReport fromJson(String line) {
        return Series.fromJson(line, IpcBenchReport.class);
    }

    static String key(Bridge bridge, Metric metric) {
        return Series.key(bridge.key, metric.quantity);
    }
}
