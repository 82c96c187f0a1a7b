package io.dpuoffload.bench.transport;

import io.dpuoffload.bench.transport.BenchReport.Metric;
import io.dpuoffload.bench.transport.BenchReport.Side;
import io.dpuoffload.cli.MachineInfo;
import io.dpuoffload.cli.channel.ByteSize;
import io.dpuoffload.cli.channel.Latencies;
import io.dpuoffload.cli.channel.ProbeCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The bench's result as a text table: our channel and plain TCP side by side, and their ratio. */
final class BenchTable {

    private static final String ROW = "  %-38s %16s %16s %11s";

    private BenchTable() {}

    static List<String> render(BenchReport report, int runs, MachineInfo machine) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, ROW, "", "our channel", "plain TCP", "ours/plain"));
        lines.add(String.format(Locale.ROOT, ROW, "", "(mutual TLS 1.3)", "(no TLS)", "")
                .stripTrailing());
        lines.add(row(report, Metric.STREAM, "throughput, 1 stream of " + ByteSize.format(report.bytes())));
        if (!report.values(Side.CHANNEL, Metric.PARALLEL).isEmpty()) {
            lines.add(row(report, Metric.PARALLEL, "throughput, " + report.streams() + " streams at once"));
        }
        lines.add(row(report, Metric.ECHO_P50, "round trip of " + ProbeCommand.ECHO_BYTES + " B, p50"));
        lines.add(row(report, Metric.ECHO_P99, "round trip of " + ProbeCommand.ECHO_BYTES + " B, p99"));
        lines.add("");
        lines.add("  " + (runs == 1 ? "1 run" : "median of " + runs + " runs") + "; " + report.requests()
                + " round trips per latency measurement, after a warm-up.");
        if (!report.values(Side.CHANNEL, Metric.PARALLEL).isEmpty()) {
            lines.add("  " + report.streams() + " streams at once: " + report.streams()
                    + " streams on our one connection, " + report.streams() + " connections of plain TCP.");
        }
        lines.add("  ours/plain: below 1 means our channel moves less data per second; above 1, its round trips"
                + " take longer.");
        lines.add("  Machine: " + machine.describe());
        return lines;
    }

    private static String row(BenchReport report, Metric metric, String label) {
        double ours = report.median(Side.CHANNEL, metric);
        double plain = report.median(Side.TCP, metric);
        return String.format(
                Locale.ROOT,
                ROW,
                label,
                value(metric, ours),
                value(metric, plain),
                String.format(Locale.ROOT, "%.2f", ours / plain));
    }

    /** "812 MB/s", or a round trip in its best unit: "48.2 µs", "2.93 ms". */
    static String value(Metric metric, double value) {
        return metric.higherIsBetter
                ? String.format(Locale.ROOT, "%.0f MB/s", value)
                : Latencies.duration(Math.round(value * 1e3));
    }
}
