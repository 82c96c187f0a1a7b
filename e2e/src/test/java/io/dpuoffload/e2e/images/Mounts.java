package io.dpuoffload.e2e.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/** Mounts a failed container run may leave under a daemon's directory, taken down before it is removed. */
final class Mounts {

    private static final Duration UMOUNT_TIMEOUT = Duration.ofSeconds(10);

    private Mounts() {}

    static void unmountUnder(Path dir) throws IOException, InterruptedException {
        String prefix = dir.toString() + "/";
        List<String> under = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .map(line -> line.split(" ")[4])
                .filter(mountPoint -> mountPoint.startsWith(prefix))
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
        for (String mountPoint : under) {
            System.err.println("unmounting " + mountPoint + ", left by a container run");
            BoundedCommand.check(UMOUNT_TIMEOUT, List.of("umount", "--lazy", mountPoint));
        }
    }
}
