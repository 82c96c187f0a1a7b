package io.dpuoffload.cli.channel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

/** What a benchmark result depends on: cores, CPU, kernel, JDK, date. */
record MachineInfo(int cores, String cpu, String kernel, String jdk, LocalDate date) {

    private static final Path CPU_INFO = Path.of("/proc/cpuinfo");

    static MachineInfo current() {
        return new MachineInfo(
                Runtime.getRuntime().availableProcessors(),
                cpuModel(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")",
                LocalDate.now());
    }

    /** "2 cores (Intel(R) Xeon(R) ...), Linux 6.1.0-28-amd64, Java 25+36-LTS (Eclipse Adoptium), 2025-06-01". */
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
