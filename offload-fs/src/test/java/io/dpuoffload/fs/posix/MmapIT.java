package io.dpuoffload.fs.posix;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.allowlist.Allowlist;
import io.dpuoffload.fs.config.CachePolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Shared writable mmap on the mount, by another process (see {@link MmapWriter} for why): what it
 * writes through the map reaches the host file on msync, on munmap, and when the map outlives the
 * file's close; for both cache policies (with cache none, files are direct I/O).
 */
class MmapIT {
    private static final int SIZE = 256 * 1024;

    @TempDir
    Path work;

    @ParameterizedTest
    @EnumSource(CachePolicy.class)
    void writesThroughASharedMapReachTheHost(CachePolicy cache) throws Exception {
        try (PosixMount fs = PosixMount.start(work, Allowlist.allowAll(), cache, false)) {
            Sides d = fs.fresh();
            Files.write(d.host("m"), new byte[SIZE]);
            Process child = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-cp",
                            System.getProperty("java.class.path"),
                            MmapWriter.class.getName(),
                            d.mount("m").toString(),
                            d.host("m").toString(),
                            Integer.toString(SIZE))
                    .redirectErrorStream(true)
                    .start();
            boolean ended = child.waitFor(30, TimeUnit.SECONDS);
            if (!ended) {
                child.destroyForcibly();
            }
            String output = new String(child.getInputStream().readAllBytes());
            assertThat(ended).as(output).isTrue();
            assertThat(output.lines())
                    .as(output)
                    .containsExactly("msync: ok", "munmap: ok", "close-then-munmap: ok", "read-map: ok");
            assertThat(child.exitValue()).isZero();
        }
    }
}
