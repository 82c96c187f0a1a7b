package io.dpuoffload.fs.posix;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.linux.DirEntry;
import io.dpuoffload.linux.Directories;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.PathCalls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** mkdir, rmdir, and listings: large ones with d_type, and ones that change while being read. */
class DirectoriesIT {
    /** dirent d_type values. */
    private static final int DT_DIR = 4;

    private static final int DT_REG = 8;
    private static final int DT_LNK = 10;

    @RegisterExtension
    static final MountedExport fs = MountedExport.usual();

    @Test
    void mkdirAndRmdir() throws Exception {
        Sides d = fs.fresh();
        for (Path dir : new Path[] {d.mount(), d.local()}) {
            PathCalls.mkdirat(Flags.AT_FDCWD, dir.resolve("a").toString(), 0750);
            assertThat(Sys.errno(() ->
                            PathCalls.mkdirat(Flags.AT_FDCWD, dir.resolve("a").toString(), 0750)))
                    .isEqualTo(Errno.EEXIST);
            PathCalls.mkdirat(Flags.AT_FDCWD, dir.resolve("a/b").toString(), 0750);
            Files.writeString(dir.resolve("a/file"), "x");
            assertThat(Sys.errno(() ->
                            PathCalls.unlinkat(Flags.AT_FDCWD, dir.resolve("a").toString(), Flags.AT_REMOVEDIR)))
                    .isEqualTo(Errno.ENOTEMPTY);
            assertThat(Sys.errno(() -> PathCalls.unlinkat(
                            Flags.AT_FDCWD, dir.resolve("a/file").toString(), Flags.AT_REMOVEDIR)))
                    .isEqualTo(Errno.ENOTDIR);
            assertThat(Sys.errno(() -> PathCalls.unlinkat(
                            Flags.AT_FDCWD, dir.resolve("a/b").toString(), 0)))
                    .isEqualTo(Errno.EISDIR);
            PathCalls.unlinkat(Flags.AT_FDCWD, dir.resolve("a/b").toString(), Flags.AT_REMOVEDIR);
            Files.delete(dir.resolve("a/file"));
            PathCalls.unlinkat(Flags.AT_FDCWD, dir.resolve("a").toString(), Flags.AT_REMOVEDIR);
        }
        PathCalls.mkdirat(Flags.AT_FDCWD, d.mount("made").toString(), 0750);
        assertThat(d.host("made")).isDirectory();
        assertThat(MetadataIT.stat(d.host("made")).permissions()).isEqualTo(0750);
        PathCalls.unlinkat(Flags.AT_FDCWD, d.mount("made").toString(), Flags.AT_REMOVEDIR);
        assertThat(d.host("made")).doesNotExist();
    }

    @Test
    void readdirOfFiveThousandEntriesWithTypes() throws Exception {
        Sides d = fs.fresh();
        Map<String, Integer> expected = new HashMap<>();
        for (int i = 0; i < 4_997; i++) {
            Files.createFile(d.host("file-" + i));
            expected.put("file-" + i, DT_REG);
        }
        Files.createDirectory(d.host("a-dir"));
        expected.put("a-dir", DT_DIR);
        Files.createSymbolicLink(d.host("a-link"), Path.of("file-1"));
        expected.put("a-link", DT_LNK);
        PathCalls.mknodat(Flags.AT_FDCWD, d.host("a-fifo").toString(), Flags.S_IFIFO | 0644, 0);
        // Outside the export's sharedFifos, a fifo is listed as a fifo (SpecialFilesIT has the others).
        expected.put("a-fifo", DirEntry.DT_FIFO);
        expected.put(".", DT_DIR);
        expected.put("..", DT_DIR);

        Map<String, Integer> listed = new HashMap<>();
        int fd = Sys.open(d.mount(), Flags.O_RDONLY | Flags.O_DIRECTORY);
        try {
            for (DirEntry entry : Directories.readAll(fd)) {
                String name = new String(entry.name(), StandardCharsets.UTF_8);
                assertThat(listed.put(name, entry.type()))
                        .as("listed twice: " + name)
                        .isNull();
            }
        } finally {
            Sys.close(fd);
        }
        assertThat(listed).hasSize(5_002);
        assertThat(listed.equals(expected))
                .as("differences: %s", difference(listed, expected))
                .isTrue();
    }

    private static String difference(Map<String, Integer> actual, Map<String, Integer> expected) {
        var diff = new java.util.TreeMap<String, String>();
        expected.forEach((k, v) -> {
            if (!v.equals(actual.get(k))) {
                diff.put(k, "expected " + v + ", listed " + actual.get(k));
            }
        });
        actual.forEach((k, v) -> {
            if (!expected.containsKey(k)) {
                diff.put(k, "not expected, listed " + v);
            }
        });
        return diff.entrySet().stream().limit(20).toList().toString();
    }

    @Test
    void readdirWhileTheHostAddsFiles() throws Exception {
        Sides d = fs.fresh();
        for (int i = 0; i < 500; i++) {
            Files.createFile(d.host("old-" + i));
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger created = new AtomicInteger(); // new-0 .. new-(created-1) exist
        Thread adder = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; !stop.get() && i < 3_000; i++) {
                    Files.createFile(d.host("new-" + i));
                    created.set(i + 1);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            for (int round = 0; round < 20; round++) {
                int before = created.get();
                Set<String> names = new HashSet<>();
                int fd = Sys.open(d.mount(), Flags.O_RDONLY | Flags.O_DIRECTORY);
                try {
                    List<DirEntry> entries = Directories.readAll(fd);
                    for (DirEntry entry : entries) {
                        String name = new String(entry.name(), StandardCharsets.UTF_8);
                        assertThat(names.add(name)).as("listed twice: " + name).isTrue();
                    }
                } finally {
                    Sys.close(fd);
                }
                for (int i = 0; i < 500; i++) {
                    assertThat(names).contains("old-" + i);
                }
                for (int i = 0; i < before; i++) {
                    assertThat(names).as("created before the listing began").contains("new-" + i);
                }
            }
        } finally {
            stop.set(true);
            adder.join();
        }
    }

    @Test
    void aDirectoryMadeOnTheDpuIsListedOnTheHost() throws Exception {
        Sides d = fs.fresh();
        Files.createDirectories(d.mount("x/y/z"));
        Files.writeString(d.mount("x/y/z/f"), "deep");
        assertThat(Files.readString(d.host("x/y/z/f"))).isEqualTo("deep");
        try (var list = Files.list(d.mount("x/y"))) {
            assertThat(list.map(p -> p.getFileName().toString())).containsExactly("z");
        }
    }
}
