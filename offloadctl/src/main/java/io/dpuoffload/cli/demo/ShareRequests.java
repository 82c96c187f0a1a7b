package io.dpuoffload.cli.demo;

import io.dpuoffload.fs.client.MountRecords;
import io.dpuoffload.fs.client.MountReporter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The requests the DPU agent's shares sent to the host, from their records ({@code fs status}):
 * what a workload costs in round trips, share by share, taken before and after it.
 */
final class ShareRequests {
    private ShareRequests() {}

    /** Requests sent so far by each share mounted under {@code root}, by export, once the records are fresh. */
    static Map<String, Long> sentUnder(Path root) throws IOException, InterruptedException {
        // A record is rewritten every INTERVAL: one written after now holds every request made before.
        Thread.sleep(MountReporter.INTERVAL.toMillis() + 500);
        Map<String, Long> sent = new LinkedHashMap<>();
        for (MountRecords.Record record : MountRecords.readAll()) {
            if (Path.of(record.mountpoint()).startsWith(root)) {
                sent.merge(record.export(), record.forwarded(), Long::sum);
            }
        }
        return sent;
    }

    /** "proc 120, sys 45, ..." per one of {@code times}: the requests between {@code before} and {@code after}. */
    static String perTime(Map<String, Long> before, Map<String, Long> after, int times) {
        return after.entrySet().stream()
                .map(e -> String.format(
                        "%s %.0f", e.getKey(), (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / (double) times))
                .collect(Collectors.joining(", "));
    }
}
