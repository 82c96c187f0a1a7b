package io.dpuoffload.cli.fs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

/**
 * What the numbers depend on: cores, CPU, kernel, JDK, date, and how busy the machine was. (Like the transport
 * benchmark's {@code MachineInfo}, which is private to its package; this one adds the load average, because the fs
 * rows react strongly to other work on a 2-core machine.)
 */
record BenchMachine(int cores, String cpu, String kernel, String jdk, LocalDate date) {

    private static final Path CPU_INFO = Path.of("/proc/cpuinfo");
    private static final Path LOAD_AVERAGE = Path.of("/proc/loadavg");

    static BenchMachine current() {
        return new BenchMachine(
                Runtime.getRuntime().availableProcessors(),
                cpuModel(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")",
                LocalDate.now());
    }

    /** The 1-minute load average, as /proc/loadavg says; "?" if unreadable. */
    static String loadAverage() {
        try {
            return Files.readString(LOAD_AVERAGE).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    String describe() {
        return cores + " cores (" + cpu + "), " + kernel + ", " + jdk + ", " + date;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(CPU_INFO).stream()
                    .filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).strip())
                    .findFirst()
                    .orElse("CPU model unknown");
        } catch (IOException e) {
            return "CPU model unknown";
        }
    }
}
