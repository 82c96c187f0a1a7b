package io.dpuoffload.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What /proc/self/mountinfo says: the proof a test left no mount behind. */
final class MountInfo {
    private MountInfo() {}

    /** Whether any mount point lies at or under {@code dir}. */
    static boolean anyUnder(Path dir) throws IOException {
        String prefix = dir.toRealPath().toString();
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .map(line -> line.split(" ")[4])
                .anyMatch(mountPoint -> mountPoint.equals(prefix) || mountPoint.startsWith(prefix + "/"));
    }
}
