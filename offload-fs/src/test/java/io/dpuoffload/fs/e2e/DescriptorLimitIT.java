package io.dpuoffload.fs.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.allowlist.Allowlist;
import io.dpuoffload.fs.config.CachePolicy;
import io.dpuoffload.fs.host.watch.HostChangeWatch;
import io.dpuoffload.linux.ResourceLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A tree of 10,000 files, ten times the open-file limit, walked through the mount with {@code find}
 * and read back file by file, while the host server (in this JVM) runs under RLIMIT_NOFILE 1,024:
 * every file is seen and read, and the process never holds as many descriptors as the limit allows.
 * With a descriptor per inode, the host ran out at about the 1,000th file (EMFILE). Under {@code cache:
 * ttl} too, where every file the DPU knows also has a host-change mark: a host write to a file whose
 * descriptor was closed long ago still reaches the DPU within the bound, not the (long) TTL.
 */
class DescriptorLimitIT {
    private static final int DIRS = 50;
    private static final int FILES_PER_DIR = 200;
    private static final long LIMIT = 1024;
    /** Walking and reading 10,000 files costs some 70,000 round trips; far less than this. */
    private static final long WALK_TIMEOUT_SECONDS = 600;

    @TempDir
    Path work;

    /** Longer than the test: under {@code cache: ttl} a change seen on the DPU was told, not expired. */
    private static final Duration LONG_TTL = Duration.ofMinutes(30);

    /** Files read after the one the host then changes: far more than the descriptors cached (3/4 of the limit). */
    private static final int READ_SINCE = 2_000;

    @ParameterizedTest
    @EnumSource(CachePolicy.class)
    void aTreeFarLargerThanTheDescriptorLimitIsServedWithinIt(CachePolicy cache) throws Exception {
        Path exported = Files.createDirectories(work.resolve("exported"));
        for (int d = 0; d < DIRS; d++) {
            Path dir = Files.createDirectory(exported.resolve("d" + d));
            for (int f = 0; f < FILES_PER_DIR; f++) {
                Files.writeString(dir.resolve("f" + f), d + "/" + f);
            }
        }
        var before = ResourceLimits.openFiles();
        assertThat(openDescriptors())
                .as("descriptors this JVM holds before the test: it must have room under the limit")
                .isLessThan(LIMIT / 4);
        ResourceLimits.setOpenFiles(new ResourceLimits.Limit(LIMIT, before.hard()));
        var peak = new AtomicLong();
        var sampling = new AtomicBoolean(true);
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (sampling.get()) {
                peak.accumulateAndGet(openDescriptors(), Math::max);
                sleep(20);
            }
        });
        try (var pair = new LocalPair(
                exported,
                work.resolve("mnt"),
                work,
                Allowlist.allowAll(),
                cache,
                false,
                export -> export.withTtl(LONG_TTL))) {
            assertThat(find(pair.mountpoint)).isEqualTo(DIRS * FILES_PER_DIR);
            List<Path> read = new ArrayList<>();
            try (Stream<Path> files = Files.walk(pair.mountpoint)) {
                for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    Path relative = pair.mountpoint.relativize(file);
                    String expected = relative.getName(0).toString().substring(1) + "/"
                            + relative.getName(1).toString().substring(1);
                    assertThat(Files.readString(file)).isEqualTo(expected);
                    read.add(relative);
                }
            }
            assertThat(read).hasSize(DIRS * FILES_PER_DIR);
            if (cache == CachePolicy.TTL) {
                hostWriteSeenWithinTheBound(pair, read.get(read.size() - READ_SINCE));
            }
        } finally {
            sampling.set(false);
            sampler.join();
            ResourceLimits.setOpenFiles(before);
        }
        System.out.printf(
                "%d files served under RLIMIT_NOFILE %d: at most %d descriptors open%n",
                DIRS * FILES_PER_DIR, LIMIT, peak.get());
        assertThat(peak.get()).as("descriptors held at most").isLessThan(LIMIT);
    }

    /** A host program appends to {@code relative}, whose descriptor the host closed long ago. */
    private static void hostWriteSeenWithinTheBound(LocalPair pair, Path relative) throws Exception {
        Path onDpu = pair.mountpoint.resolve(relative);
        long size = Files.size(onDpu);
        long changed = System.nanoTime();
        Files.writeString(pair.exported.resolve(relative), " and more", StandardOpenOption.APPEND);
        while (Files.size(onDpu) == size) {
            assertThat((System.nanoTime() - changed) / 1_000_000)
                    .as("a host write seen on the DPU within " + HostChangeWatch.BOUND_MILLIS + " ms")
                    .isLessThanOrEqualTo(HostChangeWatch.BOUND_MILLIS);
            Thread.sleep(2);
        }
    }

    /** The number of regular files {@code find} lists, checking that it reports no error. */
    private static long find(Path root) throws Exception {
        Process find = new ProcessBuilder("find", root.toString(), "-type", "f")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        long count;
        try (var lines = find.inputReader(StandardCharsets.UTF_8).lines()) {
            count = lines.count();
        }
        assertThat(find.waitFor(WALK_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(find.exitValue()).as("find's exit status").isZero();
        return count;
    }

    private static long openDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
