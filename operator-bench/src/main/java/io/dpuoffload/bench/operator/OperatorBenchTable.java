package io.dpuoffload.bench.operator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The operator benchmark's printed result: the phases, the operator's costs, its API calls and the goals. */
final class OperatorBenchTable {
    /** The busiest kinds of API request shown per client; the Raw line has them all. */
    private static final int REQUEST_ROWS = 8;

    private OperatorBenchTable() {}

    static List<String> render(OperatorBenchReport report) {
        List<String> lines = new ArrayList<>();
        lines.add(f(
                "Operator at scale: %d OffloadNodes, simulated agents (%d threads), Fabric8's mock API server (CRUD), %d CPUs",
                report.pairs(), report.agentThreads(), report.cpus()));
        lines.add("  operator JVM: " + report.operatorJvm());
        lines.add(f(
                "  started and synced in %.1f s, RSS %.0f MiB with no OffloadNode",
                report.startupSeconds(), report.idleRssMib()));
        lines.add("");
        lines.add(f(
                "  %-20s %8s %8s %8s %13s %8s %6s %9s %10s %10s",
                "phase",
                "pairs",
                "time s",
                "pairs/s",
                "reconciles/s",
                "CPU s",
                "CPU %",
                "RSS MiB",
                "peak MiB",
                "mock CPU s"));
        for (Phase phase :
                report.rollout() == null ? List.of(report.ready()) : List.of(report.ready(), report.rollout())) {
            lines.add(f(
                    "  %-20s %8s %8.1f %8.1f %13.0f %8.1f %6.0f %9.0f %10.0f %10.1f",
                    phase.name(),
                    phase.done() + "/" + phase.pairs(),
                    phase.seconds(),
                    phase.pairsPerSecond(),
                    phase.reconcilesPerSecond(),
                    phase.cpuSeconds(),
                    phase.cpuPercent(),
                    phase.rssMib(),
                    phase.peakRssMib(),
                    phase.benchCpuSeconds()));
        }
        long failed = report.ready().failedReconciles()
                + (report.rollout() == null ? 0 : report.rollout().failedReconciles());
        lines.add(f(
                "  reconciles: both controllers, finished (%d failed); CPU: the operator's, %% of one core;"
                        + " peak: VmHWM since start; mock CPU: the mock API server and the agents (this JVM)",
                failed));
        if (report.rollout() != null) {
            lines.add(f(
                    "  rollout: one pair at a time by design, agents answering at once: %.0f ms a pair",
                    1000
                            * report.rollout().seconds()
                            / Math.max(1, report.rollout().done())));
        }
        lines.add("");
        lines.add(f("API requests (simulated agents: %d reports)", report.agentReports()));
        for (String who : List.of("operator", "agents")) {
            List<Map.Entry<String, Long>> rows = report.requests().entrySet().stream()
                    .filter(e -> e.getKey().startsWith(who + " "))
                    .toList();
            long total = rows.stream().mapToLong(Map.Entry::getValue).sum();
            lines.add(f("  %-8s %8d in all", who, total));
            rows.stream()
                    .limit(REQUEST_ROWS)
                    .forEach(e -> lines.add(
                            f("  %-8s %8d %s", "", e.getValue(), e.getKey().substring(who.length() + 1))));
        }
        lines.add("");
        lines.add(f(
                "Goals: all %d Ready within %.0f s: %s (%s); operator RSS under %.0f MiB: %s (peak %.0f MiB)",
                report.pairs(),
                OperatorBenchReport.READY_GOAL_SECONDS,
                report.readyGoalMet() ? "met" : "MISSED",
                report.ready().complete()
                        ? f("%.1f s", report.ready().seconds())
                        : f(
                                "%d of them in %.0f s",
                                report.ready().done(), report.ready().seconds()),
                OperatorBenchReport.RSS_GOAL_MIB,
                report.rssGoalMet() ? "met" : "MISSED",
                report.peakRssMib()));
        return lines;
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
