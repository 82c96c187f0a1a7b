package io.dpuoffload.fs.posix;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;

/**
 * The program {@link MmapIT} runs in a process of its own: writes to a file on the mount through a
 * shared writable map and, after each way of ending the writes (msync, munmap, close then munmap),
 * reads the host's file directly and prints whether the bytes arrived.
 *
 * <p>A separate process because the FUSE server of the test lives in the test's JVM: a page fault
 * or munmap on the mount holds the faulting process's mmap lock while it waits for the server, and
 * a server in the same process that needs that lock (any malloc that maps memory) would wait for
 * itself. On a real DPU the mapping process and the server are never the same.
 */
public final class MmapWriter {
    public static void main(String[] args) throws Exception {
        Path onMount = Path.of(args[0]);
        Path onHost = Path.of(args[1]);
        int size = Integer.parseInt(args[2]);
        byte[] first = random(size, 7);
        byte[] second = random(4096, 8);
        byte[] third = random(4096, 9);

        try (FileChannel channel = FileChannel.open(onMount, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Arena arena = Arena.ofShared();
            MemorySegment map = channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            MemorySegment.copy(first, 0, map, JAVA_BYTE, 0, size);
            map.force(); // msync(MS_SYNC)
            report("msync", Files.readAllBytes(onHost), 0, first);
            MemorySegment.copy(second, 0, map, JAVA_BYTE, 8192, second.length);
            arena.close(); // munmap, without msync
            report("munmap", Files.readAllBytes(onHost), 8192, second);
        }
        Arena arena = Arena.ofShared();
        MemorySegment map;
        try (FileChannel channel = FileChannel.open(onMount, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            map = channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
        }
        MemorySegment.copy(third, 0, map, JAVA_BYTE, size - 4096, third.length);
        arena.close(); // the map held the last reference to the file
        report("close-then-munmap", Files.readAllBytes(onHost), size - 4096, third);

        try (FileChannel channel = FileChannel.open(onMount, StandardOpenOption.READ);
                Arena reading = Arena.ofConfined()) {
            byte[] seen =
                    channel.map(FileChannel.MapMode.READ_ONLY, 0, size, reading).toArray(JAVA_BYTE);
            report("read-map", seen, 0, Files.readAllBytes(onHost));
        }
    }

    private static void report(String step, byte[] actual, int offset, byte[] expected) {
        for (int i = 0; i < expected.length; i++) {
            if (offset + i >= actual.length || actual[offset + i] != expected[i]) {
                System.out.println(step + ": differs at byte " + (offset + i));
                return;
            }
        }
        System.out.println(step + ": ok");
    }

    static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private MmapWriter() {}

    static boolean same(byte[] a, byte[] b) {
        return Arrays.equals(a, b);
    }
}
