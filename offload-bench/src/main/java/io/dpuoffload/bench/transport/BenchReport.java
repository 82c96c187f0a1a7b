package io.dpuoffload.bench.transport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What {@code offload-bench transport client} measured, one value per run for each metric and side, carried to the orchestrator
 * as one flat JSON line: {@code {"bytes":1073741824,...,"channel.stream_mb_s":[812.5],"tcp.stream_mb_s":[2950.1],...}}.
 */
record BenchReport(long bytes, int requests, int streams, Map<String, List<Double>> series) {

    /** The two things compared. */
    enum Side {
        CHANNEL("channel"),
        TCP("tcp");

        final String key;

        Side(String key) {
            this.key = key;
        }
    }

    /** What is compared, and which way is better. */
    enum Metric {
        STREAM("stream_mb_s", true),
        PARALLEL("parallel_mb_s", true),
        ECHO_P50("echo_p50_us", false),
        ECHO_P99("echo_p99_us", false);

        final String key;
        final boolean higherIsBetter;

        Metric(String key, boolean higherIsBetter) {
            this.key = key;
            this.higherIsBetter = higherIsBetter;
        }
    }

    private static final Pattern SCALAR = Pattern.compile("\"(bytes|requests|streams)\":(\\d+)");
    private static final Pattern SERIES = Pattern.compile("\"([a-z]+\\.[a-z0-9_]+)\":\\[([^\\]]*)\\]");

    BenchReport {
        Map<String, List<Double>> copy = new LinkedHashMap<>();
        series.forEach((key, values) -> copy.put(key, List.copyOf(values)));
        series = copy;
    }

    static BenchReport empty(long bytes, int requests, int streams) {
        return new BenchReport(bytes, requests, streams, Map.of());
    }

    BenchReport with(Side side, Metric metric, double value) {
        Map<String, List<Double>> next = new LinkedHashMap<>(series);
        List<Double> values = new ArrayList<>(next.getOrDefault(key(side, metric), List.of()));
        values.add(value);
        next.put(key(side, metric), values);
        return new BenchReport(bytes, requests, streams, next);
    }

    List<Double> values(Side side, Metric metric) {
        return series.getOrDefault(key(side, metric), List.of());
    }

    /** The median over the runs (the lower middle one for an even count), or NaN when not measured. */
    double median(Side side, Metric metric) {
        List<Double> sorted = values(side, metric).stream().sorted().toList();
        return sorted.isEmpty() ? Double.NaN : sorted.get((sorted.size() - 1) / 2);
    }

    String toJson() {
        StringBuilder json = new StringBuilder();
        json.append("{\"bytes\":")
                .append(bytes)
                .append(",\"requests\":")
                .append(requests)
                .append(",\"streams\":")
                .append(streams);
        series.forEach((key, values) -> json.append(",\"")
                .append(key)
                .append("\":[")
                .append(values.stream()
                        .map(v -> String.format(Locale.ROOT, "%.3f", v))
                        .collect(Collectors.joining(",")))
                .append(']'));
        return json.append('}').toString();
    }

    /** Reads what {@link #toJson()} wrote. */
    static BenchReport fromJson(String line) {
        String json = line.strip();
        if (!json.startsWith("{") || !json.endsWith("}")) {
            throw new IllegalArgumentException("not a bench report (no JSON object): " + line);
        }
        Map<String, Long> scalars = new LinkedHashMap<>();
        for (Matcher m = SCALAR.matcher(json); m.find(); ) {
            scalars.put(m.group(1), Long.parseLong(m.group(2)));
        }
        for (String name : List.of("bytes", "requests", "streams")) {
            if (!scalars.containsKey(name)) {
                throw new IllegalArgumentException("bench report lacks \"" + name + "\": " + line);
            }
        }
        Map<String, List<Double>> series = new LinkedHashMap<>();
        for (Matcher m = SERIES.matcher(json); m.find(); ) {
            List<Double> values = new ArrayList<>();
            for (String value : m.group(2).split(",")) {
                if (!value.isBlank()) {
                    values.add(Double.parseDouble(value.strip()));
                }
            }
            series.put(m.group(1), values);
        }
        return new BenchReport(
                scalars.get("bytes"),
                Math.toIntExact(scalars.get("requests")),
                Math.toIntExact(scalars.get("streams")),
                series);
    }

    private static String key(Side side, Metric metric) {
        return side.key + "." + metric.key;
    }
}
