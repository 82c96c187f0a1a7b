package io.dpuoffload.bench.operator;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The API requests the mock server answered, by who made them, method and resource ({@code PATCH
 * offloadnodes/status}, {@code WATCH nodes}): what the operator asks of an API server for its work.
 */
final class RequestCounts {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    void record(String who, String method, String path) {
        counts.computeIfAbsent(who + " " + describe(method, path), key -> new LongAdder())
                .increment();
    }

    /** The counts so far, largest first. */
    Map<String, Long> snapshot() {
        Map<String, Long> sorted = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Comparator.comparing(
                                (Map.Entry<String, LongAdder> e) -> e.getValue().sum())
                        .reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue().sum()));
        return sorted;
    }

    /** "GET events", "PATCH offloadnodes/status", "WATCH offloadnodes": the method and the resource, no names. */
    static String describe(String method, String path) {
        int query = path.indexOf('?');
        String query_ = query < 0 ? "" : path.substring(query);
        String[] parts = (query < 0 ? path : path.substring(0, query)).split("/");
        // "", "api", version, rest... or "", "apis", group, version, rest...
        int rest = parts.length > 1 && parts[1].equals("apis") ? 4 : 3;
        if (parts.length > rest + 2 && parts[rest].equals("namespaces")) {
            rest += 2;
        }
        String resource = parts.length > rest ? parts[rest] : "(discovery)";
        if (parts.length > rest + 2) {
            resource += "/" + parts[rest + 2];
        }
        String verb = query_.contains("watch=true") ? "WATCH" : method;
        return verb + " " + resource;
    }
}
