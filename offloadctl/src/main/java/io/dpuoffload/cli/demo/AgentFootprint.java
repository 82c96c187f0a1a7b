package io.dpuoffload.cli.demo;

import io.dpuoffload.topology.NodeProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the node agents cost their machines while a workload runs and nothing is asked of them: each
 * agent JVM's resident memory (from {@code /proc/PID/status}, sampled each second: the last sample
 * and the highest) and the CPU it used over the window (the JDK's count of the process's CPU time).
 * Only the agent's own process counts, not what it started (libvirtd, QEMU).
 */
final class AgentFootprint {
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

    /** One agent while the window is open: its CPU time when it opened, its highest sample so far. */
    private static final class Sampled {
        final String agent;
        final ProcessHandle jvm;
        final long startNanos = System.nanoTime();
        final Duration cpuAtStart;
        long peakKib;

        Sampled(String agent, ProcessHandle jvm) {
            this.agent = agent;
            this.jvm = jvm;
            this.cpuAtStart = cpu(jvm);
            this.peakKib = residentKib(jvm.pid());
        }

        void sample() {
            peakKib = Math.max(peakKib, residentKib(jvm.pid()));
        }

        Figures figures() {
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            double used = cpu(jvm).minus(cpuAtStart).toNanos() / 1e9;
            return new Figures(agent, jvm.pid(), residentKib(jvm.pid()), peakKib, 100 * used / seconds);
        }
    }

    private AgentFootprint() {}

    /** Samples each agent (name to its node process) for {@code window}, after {@link #SETTLE}; in the map's order. */
    static List<Figures> measure(Map<String, NodeProcess> agents, Duration window) throws InterruptedException {
        Thread.sleep(SETTLE.toMillis());
        List<Sampled> sampled = agents.entrySet().stream()
                .map(agent -> new Sampled(agent.getKey(), jvmOf(agent.getValue())))
                .toList();
        long end = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < end) {
            Thread.sleep(Math.min(SAMPLE_EVERY.toMillis(), Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            sampled.forEach(Sampled::sample);
        }
        return sampled.stream().map(Sampled::figures).toList();
    }

    /** The agent's JVM: the node process itself, or the java it runs under a wrapping shell. */
    private static ProcessHandle jvmOf(NodeProcess process) {
        return process.processes().stream()
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no java process under " + process));
    }

    private static Duration cpu(ProcessHandle jvm) {
        return jvm.info()
                .totalCpuDuration()
                .orElseThrow(
                        () -> new IllegalStateException("no CPU time for pid " + jvm.pid() + " (did the agent exit?)"));
    }

    /** VmRSS, in KiB. */
    private static long residentKib(long pid) {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + status + " (did the agent exit?): " + e.getMessage(), e);
        }
        throw new IllegalStateException("no VmRSS in " + status + ": is it a kernel thread?");
    }
}
