package io.dpuoffload.fs.posix;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.allowlist.Allowlist;
import io.dpuoffload.fs.config.CachePolicy;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shared writable mmap on the mount: what a program writes through the map reaches the host file
 * on msync, on munmap and on close, for both cache policies (direct I/O with cache none).
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
            byte[] first = FilesIT.random(SIZE, 7);
            byte[] second = FilesIT.random(4096, 8);
            byte[] third = FilesIT.random(4096, 9);
            try (FileChannel channel =
                    FileChannel.open(d.mount("m"), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                Arena arena = Arena.ofShared();
                MemorySegment map = channel.map(FileChannel.MapMode.READ_WRITE, 0, SIZE, arena);
                MemorySegment.copy(first, 0, map, JAVA_BYTE, 0, SIZE);
                map.force(); // msync(MS_SYNC)
                assertThat(Files.readAllBytes(d.host("m"))).as("after msync").isEqualTo(first);

                MemorySegment.copy(second, 0, map, JAVA_BYTE, 8192, second.length);
                arena.close(); // munmap, no msync
                assertThat(Arrays.copyOfRange(Files.readAllBytes(d.host("m")), 8192, 8192 + 4096))
                        .as("after munmap")
                        .isEqualTo(second);
            }
            // Mapped, the file closed, written, then unmapped: the last reference goes with the map.
            try (Arena arena = Arena.ofShared()) {
                MemorySegment map;
                try (FileChannel channel =
                        FileChannel.open(d.mount("m"), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    map = channel.map(FileChannel.MapMode.READ_WRITE, 0, SIZE, arena);
                }
                MemorySegment.copy(third, 0, map, JAVA_BYTE, SIZE - 4096, third.length);
            }
            byte[] host = Files.readAllBytes(d.host("m"));
            assertThat(Arrays.copyOfRange(host, SIZE - 4096, SIZE)).as("after close, then munmap").isEqualTo(third);
            assertThat(Arrays.copyOfRange(host, 0, 4096)).isEqualTo(Arrays.copyOfRange(first, 0, 4096));
        }
    }

    @ParameterizedTest
    @EnumSource(CachePolicy.class)
    void aMapSeesWhatTheFileHolds(CachePolicy cache) throws Exception {
        try (PosixMount fs = PosixMount.start(work, Allowlist.allowAll(), cache, false)) {
            Sides d = fs.fresh();
            byte[] content = FilesIT.random(3 * 4096 + 17, 11);
            Files.write(d.host("r"), content);
            try (FileChannel channel = FileChannel.open(d.mount("r"), StandardOpenOption.READ);
                    Arena arena = Arena.ofConfined()) {
                MemorySegment map = channel.map(FileChannel.MapMode.READ_ONLY, 0, content.length, arena);
                assertThat(map.toArray(JAVA_BYTE)).isEqualTo(content);
            }
        }
    }
}
