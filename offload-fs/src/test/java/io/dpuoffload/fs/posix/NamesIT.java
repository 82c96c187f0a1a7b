package io.dpuoffload.fs.posix;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.PathCalls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** rename (plain, NOREPLACE, EXCHANGE, over a file), hard links, symlinks, unlink of an open file. */
class NamesIT {
    @RegisterExtension
    static final MountedExport fs = MountedExport.usual();

    @Test
    void renameMovesAcrossDirectories() throws Exception {
        Sides d = fs.fresh();
        Files.writeString(d.host("a"), "A");
        Files.createDirectory(d.host("sub"));
        rename(d.mount("a"), d.mount("sub/b"), 0);
        assertThat(d.host("a")).doesNotExist();
        assertThat(Files.readString(d.host("sub/b"))).isEqualTo("A");
        assertThat(Sys.errno(() -> rename(d.mount("a"), d.mount("c"), 0))).isEqualTo(Errno.ENOENT);
    }

    @Test
    void renameOverAnExistingFileReplacesIt() throws Exception {
        Sides d = fs.fresh();
        Files.writeString(d.host("new"), "new content");
        Files.writeString(d.host("old"), "old content");
        int fd = Sys.open(d.mount("old"), Flags.O_RDONLY);
        try {
            rename(d.mount("new"), d.mount("old"), 0);
            // The replaced file lives on for whoever has it open.
            assertThat(new String(Sys.pread(fd, 100, 0), StandardCharsets.UTF_8))
                    .isEqualTo("old content");
        } finally {
            Sys.close(fd);
        }
        assertThat(Files.readString(d.host("old"))).isEqualTo("new content");
        assertThat(Files.readString(d.mount("old"))).isEqualTo("new content");
        assertThat(d.host("new")).doesNotExist();
    }

    @Test
    void renameNoreplaceRefusesAnExistingTarget() throws Exception {
        Sides d = fs.fresh();
        for (Path dir : new Path[] {d.mount(), d.local()}) {
            Files.writeString(dir.resolve("a"), "A");
            Files.writeString(dir.resolve("b"), "B");
            assertThat(Sys.errno(() -> rename(dir.resolve("a"), dir.resolve("b"), Flags.RENAME_NOREPLACE)))
                    .isEqualTo(Errno.EEXIST);
            assertThat(Files.readString(dir.resolve("b"))).isEqualTo("B");
            rename(dir.resolve("a"), dir.resolve("c"), Flags.RENAME_NOREPLACE);
            assertThat(Files.readString(dir.resolve("c"))).isEqualTo("A");
        }
    }

    @Test
    void renameExchangeSwapsTwoNames() throws Exception {
        Sides d = fs.fresh();
        Files.writeString(d.host("file"), "a file");
        Files.createDirectory(d.host("dir"));
        Files.writeString(d.host("dir/inner"), "inside");
        rename(d.mount("file"), d.mount("dir"), Flags.RENAME_EXCHANGE);
        assertThat(Files.readString(d.host("dir"))).isEqualTo("a file");
        assertThat(Files.readString(d.host("file/inner"))).isEqualTo("inside");
        assertThat(Files.readString(d.mount("file/inner"))).isEqualTo("inside");
        assertThat(Sys.errno(() -> rename(d.mount("dir"), d.mount("missing"), Flags.RENAME_EXCHANGE)))
                .isEqualTo(Errno.ENOENT);
    }

    @Test
    void hardLinksCountTheirNames() throws Exception {
        Sides d = fs.fresh();
        Files.writeString(d.mount("f"), "shared");
        Files.createLink(d.mount("g"), d.mount("f"));
        Files.createDirectory(d.mount("sub"));
        Files.createLink(d.mount("sub/h"), d.mount("f"));
        assertThat(MetadataIT.stat(d.host("f")).nlink()).isEqualTo(3);
        assertThat(MetadataIT.stat(d.mount("g")).nlink()).isEqualTo(3);
        assertThat(MetadataIT.stat(d.host("g")).ino())
                .isEqualTo(MetadataIT.stat(d.host("f")).ino());
        Files.writeString(d.mount("sub/h"), "changed");
        assertThat(Files.readString(d.host("f"))).isEqualTo("changed");
        Files.delete(d.mount("f"));
        assertThat(MetadataIT.stat(d.mount("g")).nlink()).isEqualTo(2);
        assertThat(MetadataIT.stat(d.host("g")).nlink()).isEqualTo(2);
        assertThat(Sys.errno(() -> PathCalls.linkat(
                        Flags.AT_FDCWD,
                        d.mount("g").toString(),
                        Flags.AT_FDCWD,
                        d.mount("sub/h").toString(),
                        0)))
                .isEqualTo(Errno.EEXIST);
        Files.createDirectory(d.host("dir"));
        assertThat(Sys.errno(() -> PathCalls.linkat(
                        Flags.AT_FDCWD,
                        d.mount("dir").toString(),
                        Flags.AT_FDCWD,
                        d.mount("dir2").toString(),
                        0)))
                .isEqualTo(Errno.EPERM);
    }

    @Test
    void symlinkTargetsComeBackVerbatim() throws Exception {
        Sides d = fs.fresh();
        String[] targets = {"/etc/hostname", "relative/x", "../../../../outside", "dangling", "/", "a//b/./c/"};
        for (int i = 0; i < targets.length; i++) {
            PathCalls.symlinkat(targets[i], Flags.AT_FDCWD, d.mount("l" + i).toString());
            assertThat(new String(
                            PathCalls.readlinkat(
                                    Flags.AT_FDCWD, d.mount("l" + i).toString()),
                            StandardCharsets.UTF_8))
                    .isEqualTo(targets[i]);
            assertThat(new String(
                            PathCalls.readlinkat(Flags.AT_FDCWD, d.host("l" + i).toString()), StandardCharsets.UTF_8))
                    .isEqualTo(targets[i]);
        }
        Files.writeString(d.host("target"), "through the link");
        Files.createSymbolicLink(d.host("rel"), Path.of("target"));
        assertThat(Files.readString(d.mount("rel"))).isEqualTo("through the link");
        assertThat(Sys.openErrno(d.mount("rel"), Flags.O_RDONLY | Flags.O_NOFOLLOW, 0))
                .isEqualTo(Errno.ELOOP);
        assertThat(Sys.errno(() ->
                        PathCalls.symlinkat("x", Flags.AT_FDCWD, d.mount("rel").toString())))
                .isEqualTo(Errno.EEXIST);
    }

    @Test
    void anUnlinkedOpenFileStaysReadableAndWritable() throws Exception {
        Sides d = fs.fresh();
        Files.writeString(d.host("doomed"), "still here");
        int fd = Sys.open(d.mount("doomed"), Flags.O_RDWR);
        try {
            Files.delete(d.mount("doomed"));
            assertThat(d.host("doomed")).doesNotExist();
            assertThat(Files.exists(d.mount("doomed"))).isFalse();
            assertThat(new String(Sys.pread(fd, 100, 0), StandardCharsets.UTF_8))
                    .isEqualTo("still here");
            Sys.pwrite(fd, Sys.utf8(" and more"), 10);
            assertThat(new String(Sys.pread(fd, 100, 0), StandardCharsets.UTF_8))
                    .isEqualTo("still here and more");
            assertThat(io.dpuoffload.linux.Metadata.fstat(fd).nlink()).isZero();
        } finally {
            Sys.close(fd);
        }
    }

    static void rename(Path from, Path to, int flags) throws java.io.IOException {
        PathCalls.renameat2(Flags.AT_FDCWD, from.toString(), Flags.AT_FDCWD, to.toString(), flags);
    }
}
