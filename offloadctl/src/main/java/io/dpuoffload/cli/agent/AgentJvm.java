package io.dpuoffload.cli.agent;

import java.util.List;

/**
 * The JVM options a node agent runs with, wherever it is started: the distribution's launcher (for
 * {@code offloadctl agent ...}), the DaemonSet's {@code JAVA_TOOL_OPTIONS}, the demo and the
 * end-to-end tests. An agent runs for months beside the workloads whose cores it frees, so it
 * trades a little peak throughput for a small, steady footprint (docs/benchmarks.md, "Footprint"):
 *
 * <ul>
 *   <li>the serial collector: no collector threads of its own, no remembered sets sized for a
 *       heap of a quarter of the machine (G1's took 40 MiB here), and a heap that shrinks back
 *       after a burst (the free-ratio bounds);
 *   <li>a heap that starts small and may grow to 1 GiB (an agent's live data is tens of MiB; the
 *       JVM's default would start at 1/64 and reserve 1/4 of the machine);
 *   <li>the C library's freed memory given back every 5 s: the JIT's compilations leave tens of
 *       MiB in malloc's arenas otherwise.
 * </ul>
 *
 * {@code AgentJvmTest} keeps the launcher and the DaemonSet equal to this list.
 */
public final class AgentJvm {
    public static final List<String> OPTIONS = List.of(
            "-XX:+UseSerialGC",
            "-Xms16m",
            "-Xmx1g",
            "-XX:MinHeapFreeRatio=10",
            "-XX:MaxHeapFreeRatio=40",
            "-XX:TrimNativeHeapInterval=5000");

    private AgentJvm() {}
}
