package io.dpuoffload.bench.ipc;

import io.dpuoffload.bench.Cells;
import io.dpuoffload.bench.Comparison;
import io.dpuoffload.cli.MachineInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The result as a text table: the three bridges side by side and offload-ipc's ratios to socat and to a direct
 * socket, then whether the goals are met: throughput at least socat's, round-trip times at most socat's.
 */
final class IpcBenchTable {

    private static final String ROW = "  %-34s %14s %14s %14s %12s %12s";

    private IpcBenchTable() {}

    static List<String> render(IpcBenchReport report, MachineInfo machine, String loadAverages) {
        IpcBenchLoad load = report.load();
        List<String> lines = new ArrayList<>();
        lines.add(String.format(
                Locale.ROOT,
                ROW,
                "",
                Bridge.DIRECT.key,
                Bridge.SOCAT.key,
                Bridge.OFFLOAD_IPC.key,
                "offload-ipc",
                "offload-ipc"));
        lines.add(String.format(
                Locale.ROOT,
                ROW,
                "",
                Bridge.DIRECT.note,
                Bridge.SOCAT.note,
                Bridge.OFFLOAD_IPC.note,
                "/ socat",
                "/ direct"));
        List<String> goals = new ArrayList<>();
        for (Metric metric : Metric.values()) {
            Comparison compared = new Comparison(
                    report.median(Bridge.DIRECT, metric),
                    report.median(Bridge.SOCAT, metric),
                    report.median(Bridge.OFFLOAD_IPC, metric));
            lines.add(compared.line(ROW, metric.label(load), metric.quantity));
            goals.add(goal(metric, compared.overUsual()));
        }
        lines.add("");
        lines.add("  " + Cells.runs(load.runs())
                + ", after an unmeasured warm-up. MB are 10^6 bytes. A ratio is offload-ipc's value over the other's:");
        lines.add("  above 1 is better on the stream row (more MB/s), below 1 on the round-trip rows (fewer µs).");
        lines.add("  socat: TCP-LISTEN,reuseaddr,fork on the host, UNIX-LISTEN,fork on the DPU, its defaults otherwise"
                + " (8 KiB buffer, no TLS).");
        lines.add("  offload-ipc: ipc serve on the host, ipc connect with a forward on the DPU (mutual TLS 1.3).");
        lines.add("  Goals, offload-ipc against socat: " + String.join("; ", goals) + ".");
        lines.add("  Machine: " + machine.describe() + "; load average " + loadAverages + ".");
        return lines;
    }

    /** "throughput >= socat: met (1.12)" or "p99 <= socat: missed (1.40)". */
    static String goal(Metric metric, Optional<Double> overSocat) {
        String what =
                switch (metric) {
                    case STREAM -> "throughput >= socat";
                    case PING_P50 -> "p50 <= socat";
                    case PING_P99 -> "p99 <= socat";
                };
        if (overSocat.isEmpty()) {
            return what + ": not measured";
        }
        double r = overSocat.get();
        boolean met = metric.quantity.higherIsBetter() ? r >= 1 : r <= 1;
        return what + ": " + (met ? "met" : "missed") + " (" + Cells.format(overSocat) + ")";
    }
}
