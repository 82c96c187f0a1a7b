package io.dpuoffload.fs.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeIT {
    @TempDir
    Path work;

    @Test
    void writeOnTheDpuReadOnTheHost() throws Exception {
        try (LocalPair pair = new LocalPair(work)) {
            Files.writeString(pair.mountpoint.resolve("hello.txt"), "hello from the DPU");
            assertThat(Files.readString(pair.exported.resolve("hello.txt"))).isEqualTo("hello from the DPU");
            Files.writeString(pair.exported.resolve("host.txt"), "hello from the host");
            assertThat(Files.readString(pair.mountpoint.resolve("host.txt"))).isEqualTo("hello from the host");
            Files.createDirectories(pair.mountpoint.resolve("a/b/c"));
            assertThat(pair.exported.resolve("a/b/c")).isDirectory();
            try (var list = Files.list(pair.mountpoint)) {
                assertThat(list.map(p -> p.getFileName().toString()))
                        .containsExactlyInAnyOrder("hello.txt", "host.txt", "a");
            }
        }
    }
}
