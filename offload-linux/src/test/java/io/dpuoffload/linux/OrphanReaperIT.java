package io.dpuoffload.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A daemonized descendant becomes this process's child when its parent exits, and is reaped when it ends. */
class OrphanReaperIT {

    @Test
    void anOrphanIsAdoptedAndReapedOnceItEnds() throws Exception {
        try (OrphanReaper ignored =
                OrphanReaper.start(pid -> true, new Object()).orElseThrow()) {
            // sh starts sleep in the background and exits at once: sleep is an orphan from then on.
            Process parent = new ProcessBuilder("sh", "-c", "sleep 1 & echo $!").start();
            int orphan = Integer.parseInt(new String(parent.getInputStream().readAllBytes()).strip());
            assertThat(parent.waitFor()).isZero();

            assertThat(parentOf(orphan))
                    .as("the orphan's parent: this process, a subreaper")
                    .isEqualTo(ProcessHandle.current().pid());
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (Files.exists(Path.of("/proc", Integer.toString(orphan))) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(Path.of("/proc", Integer.toString(orphan)))
                    .as("pid %d, ended after 1 s, reaped (not left a zombie) within 4 s more", orphan)
                    .doesNotExist();
        }
    }

    private static long parentOf(int pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
            if (line.startsWith("PPid:")) {
                return Long.parseLong(line.substring(5).strip());
            }
        }
        throw new AssertionError("no PPid for " + pid);
    }
}
