package io.dpuoffload.e2e.fs.workloads;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.e2e.fs.workloads.TreeDifferences.Aspect;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The comparison finds each kind of difference a workload could leave, and only in the aspects asked for. */
class TreeDifferencesTest {
    private static final FileTime MTIME = FileTime.from(Instant.parse("2001-02-03T04:05:06.123456789Z"));

    @TempDir
    Path work;

    @Test
    void identicalTreesHaveNoDifferences() throws Exception {
        Path a = tree("a");
        Path b = tree("b");
        assertThat(TreeDifferences.between(TreeSnapshot.of(a), TreeSnapshot.of(b), Aspect.all()))
                .isEmpty();
    }

    @Test
    void eachDifferenceIsNamedWithItsPathAndAspect() throws Exception {
        Path a = tree("a");
        Path b = tree("b");
        Files.setPosixFilePermissions(b.resolve("dir/file"), PosixFilePermissions.fromString("rw-------"));
        Files.setLastModifiedTime(b.resolve("dir"), FileTime.fromMillis(0));
        Files.delete(b.resolve("link"));
        Files.createSymbolicLink(b.resolve("link"), Path.of("elsewhere"));
        Files.delete(b.resolve("dir/hardlink"));
        Files.copy(b.resolve("dir/file"), b.resolve("dir/hardlink"));
        Files.writeString(b.resolve("extra"), "x");
        Files.setLastModifiedTime(b.resolve("dir"), MTIME);

        assertThat(TreeDifferences.between(TreeSnapshot.of(a), TreeSnapshot.of(b), Aspect.all()))
                .contains(
                        "dir/file: mode 644 ≠ 600",
                        "dir/file: links 2 ≠ 1",
                        "link: target file ≠ elsewhere",
                        "extra: not expected, but present")
                .anyMatch(line -> line.startsWith("hard link groups: [[dir/file, dir/hardlink]] ≠ []"));
    }

    @Test
    void contentAndTimesCountOnlyWhenAsked() throws Exception {
        Path a = tree("a");
        Path b = tree("b");
        Files.writeString(b.resolve("dir/file"), "other");
        Files.setLastModifiedTime(b.resolve("dir/file"), FileTime.fromMillis(1000));
        var expected = TreeSnapshot.of(a);
        var actual = TreeSnapshot.of(b);
        assertThat(TreeDifferences.between(expected, actual, Aspect.all()))
                .anyMatch(line -> line.startsWith("dir/file: content "))
                .anyMatch(line -> line.startsWith("dir/file: mtime " + nanos(MTIME) + " ≠ 1000000000"));
        assertThat(TreeDifferences.between(expected, actual, Aspect.allBut(Aspect.CONTENT, Aspect.MTIME, Aspect.SIZE)))
                .isEmpty();
    }

    /** dir/file (and its hard link dir/hardlink), a symlink to it, all with fixed times. */
    private Path tree(String name) throws Exception {
        Path root = Files.createDirectories(work.resolve(name));
        Path dir = Files.createDirectories(root.resolve("dir"));
        Path file = Files.writeString(dir.resolve("file"), "content");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Files.createLink(dir.resolve("hardlink"), file);
        Path link = Files.createSymbolicLink(root.resolve("link"), Path.of("file"));
        Files.getFileAttributeView(file, BasicFileAttributeView.class).setTimes(MTIME, MTIME, null);
        Files.getFileAttributeView(link, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(MTIME, MTIME, null);
        Files.setLastModifiedTime(dir, MTIME);
        return root;
    }

    private static long nanos(FileTime time) {
        return time.to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
