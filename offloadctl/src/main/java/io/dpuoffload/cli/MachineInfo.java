package io.dpuoffload.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

/** What a benchmark result depends on: cores, CPU, kernel, JDK, date. */
public record MachineInfo(int cores, String cpu, String kernel, String jdk, LocalDate date) {

    private static final Path CPU_INFO = Path.of("/proc/cpuinfo");
    private static final Path LOAD_AVERAGE = Path.of("/proc/loadavg");

    public static MachineInfo current() {
        return new MachineInfo(
                Runtime.getRuntime().availableProcessors(),
                cpuModel(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")",
                LocalDate.now());
    }

    /** "2 cores (Intel(R) Xeon(R) ...), Linux 6.1.0-28-amd64, Java 25+36-LTS (Eclipse Adoptium), 2025-06-01". */
    public String describe() {
        return cores + " cores (" + cpu + "), " + kernel + ", " + jdk + ", " + date;
    }

    /** The 1-minute load average, as /proc/loadavg says; "?" if unreadable. */
    public static String loadAverage() {
        try {
            return Files.readString(LOAD_AVERAGE).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
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
