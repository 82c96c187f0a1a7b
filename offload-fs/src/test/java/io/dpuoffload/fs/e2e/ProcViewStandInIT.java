package io.dpuoffload.fs.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.allowlist.Allowlist;
import io.dpuoffload.fs.client.FsMountOptions;
import io.dpuoffload.fs.config.CachePolicy;
import io.dpuoffload.fs.config.ExportConfig;
import io.dpuoffload.fs.host.FsServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A /proc view shows a stand-in's entry as its host program's: libvirtd reads its QEMU's CPU time,
 * memory and threads from {@code /proc/<pid>}, where the pid is QEMU's stand-in on the DPU. Here
 * both sides are this machine, so "the DPU's" processes exist in the local proc too: a mapped pid
 * must still show the program's, an unmapped one its own.
 */
class ProcViewStandInIT {
    @TempDir
    Path work;

    @Test
    void aStandInsEntryIsItsProgramsAndEveryOtherPidIsItsOwn() throws Exception {
        Process standIn = new ProcessBuilder("sleep", "600").start();
        Process program = new ProcessBuilder("sleep", "601").start();
        try (LocalPair pair = new LocalPair(
                Path.of("/proc"),
                work.resolve("mnt"),
                work,
                Allowlist.allowAll(),
                CachePolicy.NONE,
                true,
                e -> new ExportConfig(
                        e.name(),
                        e.path(),
                        e.readOnly(),
                        e.cache(),
                        e.ttl(),
                        true,
                        e.allow(),
                        e.sharedFifos(),
                        e.devices()),
                FsServer.DEFAULT_RESUME_WITHIN,
                FsMountOptions.defaults()
                        .withOpTimeout(Duration.ofSeconds(5))
                        .withLocalProc(Path.of("/proc"))
                        .withProgramOfStandIn(pid -> pid == standIn.pid() ? (int) program.pid() : 0))) {
            Path proc = pair.mountpoint;
            assertThat(Files.readString(proc.resolve(standIn.pid() + "/cmdline")))
                    .as("the stand-in's command line is its program's")
                    .isEqualTo("sleep\0" + "601\0");
            assertThat(Files.readString(proc.resolve(standIn.pid() + "/stat")))
                    .as("so are its CPU times and memory (stat)")
                    .startsWith(program.pid() + " (sleep) ");
            assertThat(proc.resolve(standIn.pid() + "/task/" + program.pid()))
                    .as("and its threads")
                    .isDirectory();
            assertThat(Files.readString(proc.resolve(program.pid() + "/cmdline")))
                    .isEqualTo("sleep\0" + "601\0");
            long own = ProcessHandle.current().pid();
            assertThat(Files.readString(proc.resolve(own + "/stat")))
                    .as("a pid that stands in for nothing is its own")
                    .startsWith(own + " (");
            assertThat(Files.isSymbolicLink(proc.resolve(Long.toString(own))))
                    .as("answered from the local proc, as every DPU pid")
                    .isTrue();
        } finally {
            standIn.destroyForcibly();
            program.destroyForcibly();
        }
    }
}
