package io.dpuoffload.fs.posix;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.config.CachePolicy;
import io.dpuoffload.fs.config.ExportConfig;
import io.dpuoffload.fs.host.watch.HostChangeWatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Changes made on the host by host programs (here: this JVM writing the exported directory
 * directly, as QEMU writes a screenshot) reach the DPU within {@link HostChangeWatch#BOUND_MILLIS},
 * under both cache policies. The cached export's TTL is far longer than the bound, so only the
 * host's notifications can make these pass.
 */
class HostChangesIT {
    /** Longer than any test waits: a change seen on the DPU was told, not expired. */
    private static final Duration LONG_TTL = Duration.ofSeconds(60);

    private static final long BOUND = HostChangeWatch.BOUND_MILLIS;

    @TempDir
    static Path cachedWork;

    @TempDir
    static Path uncachedWork;

    static PosixMount cached;
    static PosixMount uncached;

    @BeforeAll
    static void mount() throws Exception {
        cached = PosixMount.start(cachedWork, CachePolicy.TTL, HostChangesIT::longTtl);
        uncached = PosixMount.start(uncachedWork, CachePolicy.NONE, e -> e);
    }

    @AfterAll
    static void unmount() {
        if (cached != null) {
            cached.close();
        }
        if (uncached != null) {
            uncached.close();
        }
    }

    private static ExportConfig longTtl(ExportConfig e) {
        return e.withTtl(LONG_TTL);
    }

    @Test
    void aHostWriteIsSeenWithinTheBoundWithTheCache() throws Exception {
        hostWriteSeenWithinTheBound(cached.fresh());
    }

    @Test
    void aHostWriteIsSeenWithinTheBoundWithoutTheCache() throws Exception {
        hostWriteSeenWithinTheBound(uncached.fresh());
    }

    /** The screenshot case: the DPU made and read the file while it was empty, a host program fills it. */
    private static void hostWriteSeenWithinTheBound(Sides d) throws Exception {
        Files.writeString(d.mount("shot.ppm"), "");
        assertThat(Files.size(d.mount("shot.ppm"))).isZero();
        assertThat(Files.readString(d.mount("shot.ppm"))).isEmpty();
        long[] millis = new long[20];
        for (int round = 0; round < millis.length; round++) {
            String content = "P6 frame " + round + " " + "x".repeat(round * 100);
            Thread.sleep(5);
            Files.writeString(d.host("shot.ppm"), content);
            long wrote = System.nanoTime();
            within(wrote, "size after host write " + round, () -> size(d.mount("shot.ppm")) == content.length());
            within(wrote, "content after host write " + round, () -> read(d.mount("shot.ppm"))
                    .equals(content));
            millis[round] = millisSince(wrote);
        }
        java.util.Arrays.sort(millis);
        System.out.printf(
                "host write to DPU read (%s): median %d ms, max %d ms%n",
                d.mount(), millis[millis.length / 2], millis[millis.length - 1]);
    }

    @Test
    void anOverwriteOfTheSameSizeIsSeenWithinTheBound() throws Exception {
        Sides d = cached.fresh();
        Files.writeString(d.host("f"), "aaaa");
        try (var channel = java.nio.channels.FileChannel.open(d.mount("f"))) {
            assertThat(Files.readString(d.mount("f"))).isEqualTo("aaaa"); // in the DPU's page cache
            assertThat(Files.size(d.mount("f"))).isEqualTo(4);
            Thread.sleep(10);
            Files.writeString(d.host("f"), "bbbb", StandardOpenOption.WRITE);
            long changed = System.nanoTime();
            within(changed, "same-size content", () -> read(d.mount("f")).equals("bbbb"));
            var buffer = java.nio.ByteBuffer.allocate(8);
            channel.read(buffer, 0); // an already open file too
            assertThat(new String(buffer.array(), 0, buffer.position())).isEqualTo("bbbb");
        }
    }

    @Test
    void anOpenAfterAHostWriteSeesItAtOnce() throws Exception {
        Sides d = cached.fresh();
        Files.writeString(d.mount("f"), "");
        for (int i = 0; i < 20; i++) {
            String before = Files.readString(d.mount("f")); // cached on the DPU, attributes and pages
            Thread.sleep(10);
            String content = before + "frame " + i + ";";
            Files.writeString(d.host("f"), content);
            assertThat(Files.readString(d.mount("f"))).isEqualTo(content); // no wait: the open carries it
        }
    }

    @Test
    void namesMadeRemovedAndMovedOnTheHostShowWithinTheBound() throws Exception {
        Sides d = cached.fresh();
        Files.writeString(d.host("old"), "o");
        Files.writeString(d.host("from"), "moving");
        assertThat(names(d.mount())).containsExactlyInAnyOrder("old", "from");
        assertThat(Files.exists(d.mount("new"))).isFalse(); // a negative entry, cached
        assertThat(Files.exists(d.mount("to"))).isFalse();
        assertThat(Files.exists(d.mount("old"))).isTrue();
        assertThat(Files.exists(d.mount("from"))).isTrue();

        Files.writeString(d.host("new"), "n");
        Files.delete(d.host("old"));
        Files.move(d.host("from"), d.host("to"));
        Files.createDirectory(d.host("sub"));
        long changed = System.nanoTime();

        within(changed, "created", () -> Files.exists(d.mount("new")));
        within(changed, "removed", () -> !Files.exists(d.mount("old")));
        within(changed, "moved away", () -> !Files.exists(d.mount("from")));
        within(changed, "moved here", () -> Files.exists(d.mount("to")));
        within(
                BOUND,
                "listing",
                () -> names(d.mount()).containsAll(List.of("new", "to", "sub"))
                        && names(d.mount()).size() == 3);
        assertThat(Files.readString(d.mount("to"))).isEqualTo("moving");
    }

    @Test
    void namesChangedInASubdirectoryTheDpuListedShowWithinTheBound() throws Exception {
        Sides d = cached.fresh();
        Files.createDirectories(d.host("a/b"));
        Files.writeString(d.host("a/b/x"), "x");
        assertThat(names(d.mount("a/b"))).containsExactly("x");
        assertThat(names(d.mount("a/b"))).containsExactly("x"); // from the DPU's cached listing
        Thread.sleep(10);
        Files.writeString(d.host("a/b/c"), "c");
        within(System.nanoTime(), "listing of a/b", () -> names(d.mount("a/b")).equals(List.of("c", "x")));
    }

    @Test
    void attributesChangedOnTheHostShowWithinTheBound() throws Exception {
        Sides d = cached.fresh();
        Files.writeString(d.host("f"), "f");
        Files.setPosixFilePermissions(d.host("f"), PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(Files.getPosixFilePermissions(d.mount("f"))).isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(d.host("f"), PosixFilePermissions.fromString("rw-------"));
        within(System.nanoTime(), "mode", () -> permissions(d.mount("f")).equals("rw-------"));
        Files.setPosixFilePermissions(d.host(""), PosixFilePermissions.fromString("rwx------"));
        within(System.nanoTime(), "mode of the directory", () -> permissions(d.mount())
                .equals("rwx------"));
    }

    @Test
    void whatAUserMayNotReadIsWatchedAllTheSame() throws Exception {
        Sides d = cached.fresh();
        Files.createDirectory(
                d.host("box"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
        Files.writeString(d.host("box/f"), "1");
        Files.setOwner(
                d.host("box/f"),
                d.host("box/f")
                        .getFileSystem()
                        .getUserPrincipalLookupService()
                        .lookupPrincipalByName(Integer.toString(AsUser.USER)));
        Files.setPosixFilePermissions(d.host("box/f"), PosixFilePermissions.fromString("-w-------"));
        Files.setPosixFilePermissions(d.host("box"), PosixFilePermissions.fromString("rwx--x--x"));
        assertThat(AsUser.call(() -> Files.size(d.mount("box/f")))).isEqualTo(1); // looked up by the user only

        Files.writeString(d.host("box/f"), "22");
        long changed = System.nanoTime();
        within(changed, "size of a file its looker-up may not read", () -> {
            try {
                return AsUser.call(() -> Files.size(d.mount("box/f"))) == 2;
            } catch (IOException e) {
                return false;
            }
        });
    }

    @Test
    void theHostWatchesWhatTheDpuKnowsAndStopsWhenItForgets() throws Exception {
        Sides d = cached.fresh();
        Files.list(d.mount()).close();
        long before = watchedInodes();
        for (int i = 0; i < 10; i++) {
            Files.writeString(d.mount("f" + i), "made on the DPU");
        }
        assertThat(watchedInodes()).isEqualTo(before + 10);
        for (int i = 0; i < 10; i++) {
            Files.delete(d.mount("f" + i)); // the DPU's kernel forgets a removed file at once
        }
        long start = System.nanoTime();
        while (watchedInodes() > before && millisSince(start) < 10_000) {
            Thread.sleep(10);
        }
        assertThat(watchedInodes()).isEqualTo(before);
    }

    @Test
    void aSessionsWatchEndsWithIt(@TempDir Path work) throws Exception {
        int groups = fanotifyGroups().size();
        try (PosixMount another = PosixMount.start(work, CachePolicy.TTL, e -> e)) {
            assertThat(Files.exists(another.mountpoint().resolve("x"))).isFalse();
            assertThat(fanotifyGroups()).hasSize(groups + 1);
        }
        long start = System.nanoTime();
        while (fanotifyGroups().size() > groups && millisSince(start) < 10_000) {
            Thread.sleep(10);
        }
        assertThat(fanotifyGroups()).hasSize(groups);
    }

    /** The fanotify groups this JVM holds: each cached session has one. */
    private static List<Path> fanotifyGroups() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                        try {
                            return Files.readSymbolicLink(fd).toString().equals("anon_inode:[fanotify]");
                        } catch (IOException e) {
                            return false; // closed meanwhile
                        }
                    })
                    .toList();
        }
    }

    /** Inode marks of every group of this JVM, as the kernel lists them in fdinfo. */
    private static long watchedInodes() throws IOException {
        long marks = 0;
        for (Path fd : fanotifyGroups()) {
            try (var lines =
                    Files.lines(Path.of("/proc/self/fdinfo", fd.getFileName().toString()))) {
                marks += lines.filter(line -> line.startsWith("fanotify ino:")).count();
            } catch (IOException e) {
                // closed meanwhile
            }
        }
        return marks;
    }

    /** Waits until {@code seen}, failing once the bound has passed since {@code changed} (System.nanoTime). */
    private static void within(long changed, String what, BooleanSupplier seen) throws InterruptedException {
        while (!seen.getAsBoolean()) {
            assertThat(millisSince(changed))
                    .as(what + " within " + BOUND + " ms")
                    .isLessThanOrEqualTo(BOUND);
            Thread.sleep(1);
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    private static String permissions(Path p) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    private static List<String> names(Path dir) {
        try (var list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of("(" + e + ")");
        }
    }
}
