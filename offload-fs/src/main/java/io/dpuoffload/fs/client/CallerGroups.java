package io.dpuoffload.fs.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The supplementary groups of the process behind a FUSE request. The kernel's request header has
 * only uid and gid, so they are read from {@code /proc/PID/status} ("Groups:"). A process that is
 * gone by then gets no supplementary groups: it can only lose access, never gain it.
 */
final class CallerGroups {
    private static final int[] NONE = new int[0];

    private final Path proc;

    CallerGroups(Path proc) {
        this.proc = proc;
    }

    int[] of(int pid) {
        if (pid <= 0) {
            return NONE;
        }
        try (var lines = Files.lines(proc.resolve(Integer.toString(pid)).resolve("status"))) {
            return lines.filter(line -> line.startsWith("Groups:"))
                    .findFirst()
                    .map(CallerGroups::parse)
                    .orElse(NONE);
        } catch (IOException | java.io.UncheckedIOException e) {
            return NONE;
        }
    }

    static int[] parse(String line) {
        String list = line.substring("Groups:".length()).strip();
        return list.isEmpty()
                ? NONE
                : Arrays.stream(list.split("\\s+")).mapToInt(Integer::parseInt).toArray();
    }
}
