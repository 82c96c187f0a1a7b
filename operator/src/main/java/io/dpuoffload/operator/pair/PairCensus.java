package io.dpuoffload.operator.pair;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The pairs by their Ready condition, for the metric {@code dpuoffload_pairs{ready="True|False|Unknown"}}. */
public final class PairCensus {
    private final Map<String, String> readyByPair = new ConcurrentHashMap<>();

    public PairCensus(MeterRegistry registry) {
        for (String status : List.of(Conditions.TRUE, Conditions.FALSE, Conditions.UNKNOWN)) {
            Gauge.builder("dpuoffload.pairs", this, census -> census.count(status))
                    .description("OffloadNodes by their Ready condition")
                    .tag("ready", status)
                    .register(registry);
        }
    }

    void record(String pair, String ready) {
        readyByPair.put(pair, ready);
    }

    void forget(String pair) {
        readyByPair.remove(pair);
    }

    private double count(String status) {
        return readyByPair.values().stream().filter(status::equals).count();
    }
}
