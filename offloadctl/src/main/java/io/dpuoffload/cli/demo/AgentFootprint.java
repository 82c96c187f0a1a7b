package io.dpuoffload.cli.demo;

import io.dpuoffload.topology.NodeProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the node agents cost their machines while a workload runs and nothing is asked of them: each
 * agent JVM's resident memory (sampled each second; the last sample and the highest) and the CPU it
 * used over the window, from {@code /proc/PID/status} and {@code /proc/PID/stat}. Only the agent's own
 * process counts, not what it started (libvirtd, QEMU).
 */
final class AgentFootprint {
    /** The kernel's clock ticks per second in /proc/PID/stat (USER_HZ, 100 on every Linux port). */
    private static final double TICKS_PER_SECOND = 100;

    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(1);

    /**
     * How long the agents settle before the window opens: the JIT is still compiling what the
     * start ran for the first minute or so, a cost of starting, not of running.
     */
    static final Duration SETTLE = Duration.ofSeconds(30);

    /** One agent's figures over the window. */
    record Figures(String agent, long pid, long residentKib, long peakResidentKib, double cpuPercentOfCore) {
        String line() {
            return String.format(
                    "%-10s pid %-7d resident %4d MiB (highest %4d MiB)   CPU %5.2f %% of a core",
                    agent, pid, residentKib / 1024, peakResidentKib / 1024, cpuPercentOfCore);
        }
    }

    private AgentFootprint() {}

    /** Samples each agent (name to its node process) for {@code window}, after {@link #SETTLE}; in the map's order. */
    static List<Figures> measure(Map<String, NodeProcess> agents, Duration window) throws InterruptedException {
        Thread.sleep(SETTLE.toMillis());
        Map<String, Long> pids = new LinkedHashMap<>();
        agents.forEach((name, process) -> pids.put(name, javaPid(process)));
        Map<String, Long> ticksBefore = new LinkedHashMap<>();
        Map<String, Long> peak = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            ticksBefore.put(name, cpuTicks(pid));
            peak.put(name, residentKib(pid));
        });
        long start = System.nanoTime();
        long end = start + window.toNanos();
        while (System.nanoTime() < end) {
            Thread.sleep(Math.min(SAMPLE_EVERY.toMillis(), Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            pids.forEach((name, pid) -> peak.merge(name, residentKib(pid), Math::max));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Figures> figures = new ArrayList<>();
        pids.forEach((name, pid) -> {
            long used = cpuTicks(pid) - ticksBefore.get(name);
            figures.add(
                    new Figures(name, pid, residentKib(pid), peak.get(name), 100 * used / TICKS_PER_SECOND / seconds));
        });
        return figures;
    }

    /** The agent's JVM: the node process itself, or the java it runs under a wrapping shell. */
    private static long javaPid(NodeProcess process) {
        return process.processes().stream()
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no java process under " + process))
                .pid();
    }

    /** VmRSS, in KiB. */
    static long residentKib(long pid) {
        for (String line : read(Path.of("/proc", Long.toString(pid), "status")).split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for pid " + pid + ": is it a kernel thread?");
    }

    /** utime + stime, in clock ticks. The command (field 2) may hold spaces: fields count from its ")". */
    static long cpuTicks(long pid) {
        String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // fields 14 and 15 of proc(5)
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + " (did the agent exit?): " + e.getMessage(), e);
        }
    }
}
