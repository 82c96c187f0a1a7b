package io.dpuoffload.bench.operator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's resident memory from /proc/PID/status, in KiB: now ({@code VmRSS}) and at its peak
 * ({@code VmHWM}, the kernel's high-water mark), what a container's memory limit is measured against.
 */
record ProcMemory(long rssKib, long peakKib) {
    static ProcMemory of(long pid) {
        try {
            return parse(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the memory of process " + pid, e);
        }
    }

    static ProcMemory parse(String status) {
        return new ProcMemory(field(status, "VmRSS:"), field(status, "VmHWM:"));
    }

    private static long field(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.substring(name.length()).strip().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("no " + name + " in /proc/PID/status");
    }

    double rssMib() {
        return rssKib / 1024.0;
    }

    double peakMib() {
        return peakKib / 1024.0;
    }
}
