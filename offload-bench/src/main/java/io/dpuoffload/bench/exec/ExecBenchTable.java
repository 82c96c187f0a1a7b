package io.dpuoffload.bench.exec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The exec benchmark's printed result: start times, throughput, rexec's ratios and the goals. */
final class ExecBenchTable {
    private ExecBenchTable() {}

    static List<String> render(
            Map<String, DpuSideCommand.Samples> times, Map<String, Double> throughput, String size, String cipher) {
        List<String> lines = new ArrayList<>();
        double rexec = times.get("rexec").percentileMillis(0.5);
        lines.add("Running /bin/true on the host from the DPU node (local: on the DPU itself, the limit)");
        lines.add(String.format("  %-22s %10s %10s %12s", "", "median ms", "p90 ms", "rexec / it"));
        for (var entry : times.entrySet()) {
            double median = entry.getValue().percentileMillis(0.5);
            lines.add(String.format(
                    "  %-22s %10.2f %10.2f %12s",
                    entry.getKey(),
                    median,
                    entry.getValue().percentileMillis(0.9),
                    entry.getKey().equals("rexec") ? "" : String.format("%.2f", rexec / median)));
        }
        lines.add("");
        lines.add("stdout throughput, head -c " + size + " /dev/zero read on the DPU node (ssh with " + cipher + ")");
        lines.add(String.format("  %-22s %10s %12s", "", "MB/s", "rexec / it"));
        double rexecRate = throughput.get("rexec");
        for (var entry : throughput.entrySet()) {
            lines.add(String.format(
                    "  %-22s %10.0f %12s",
                    entry.getKey(),
                    entry.getValue(),
                    entry.getKey().equals("rexec") ? "" : String.format("%.2f", rexecRate / entry.getValue())));
        }
        lines.add("");
        double plain = times.get("ssh, plain").percentileMillis(0.5);
        double multiplexed = times.get("ssh, ControlMaster").percentileMillis(0.5);
        lines.add(String.format(
                "Goals: rexec at most half of plain ssh's time: %s (%.2f); no slower than ssh with ControlMaster: %s (%.2f)",
                rexec <= plain / 2 ? "met" : "MISSED",
                rexec / plain,
                rexec <= multiplexed ? "met" : "MISSED",
                rexec / multiplexed));
        return lines;
    }
}
