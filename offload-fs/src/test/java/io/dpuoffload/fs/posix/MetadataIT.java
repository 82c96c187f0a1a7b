package io.dpuoffload.fs.posix;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.Stat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Attributes: chmod, chown, utimens with nanoseconds and UTIME_NOW/OMIT, and stat as the host has it. */
class MetadataIT {
    @RegisterExtension
    static final MountedExport fs = MountedExport.usual();

    @Test
    void chmodReachesTheHost() throws Exception {
        Sides d = fs.fresh();
        Files.writeString(d.host("f"), "x");
        Files.setPosixFilePermissions(d.mount("f"), PosixFilePermissions.fromString("rwx--x---"));
        assertThat(stat(d.host("f")).permissions()).isEqualTo(0710);
        Metadata.fchmodat(Flags.AT_FDCWD, d.mount("f").toString(), 04751, 0);
        assertThat(stat(d.host("f")).permissions()).isEqualTo(04751);
        Files.createDirectory(d.host("dir"));
        Metadata.fchmodat(Flags.AT_FDCWD, d.mount("dir").toString(), 01777, 0);
        assertThat(stat(d.host("dir")).permissions()).isEqualTo(01777);
    }

    @Test
    void chownToAnotherUserAndGroup() throws Exception {
        Sides d = fs.fresh();
        Files.writeString(d.host("f"), "x");
        Metadata.fchownat(Flags.AT_FDCWD, d.mount("f").toString(), 1001, 1002, 0);
        Stat host = stat(d.host("f"));
        assertThat(host.uid()).isEqualTo(1001);
        assertThat(host.gid()).isEqualTo(1002);
        Metadata.fchownat(Flags.AT_FDCWD, d.mount("f").toString(), -1, 1003, 0);
        assertThat(stat(d.host("f")).uid()).isEqualTo(1001);
        assertThat(stat(d.host("f")).gid()).isEqualTo(1003);
        // A symlink itself (lchown), not its target.
        Files.createSymbolicLink(d.host("link"), Path.of("f"));
        Metadata.fchownat(Flags.AT_FDCWD, d.mount("link").toString(), 1004, 1004, Flags.AT_SYMLINK_NOFOLLOW);
        assertThat(lstat(d.host("link")).uid()).isEqualTo(1004);
        assertThat(stat(d.host("f")).uid()).isEqualTo(1001);
    }

    @Test
    void utimensKeepsNanoseconds() throws Exception {
        Sides d = fs.fresh();
        Files.writeString(d.host("f"), "x");
        Metadata.utimensat(
                Flags.AT_FDCWD, d.mount("f").toString(), 1_000_000_000L, 123_456_789, 1_500_000_000L, 987_654_321, 0);
        Stat host = stat(d.host("f"));
        assertThat(host.atimeSec()).isEqualTo(1_000_000_000L);
        assertThat(host.atimeNsec()).isEqualTo(123_456_789);
        assertThat(host.mtimeSec()).isEqualTo(1_500_000_000L);
        assertThat(host.mtimeNsec()).isEqualTo(987_654_321);
        Stat mounted = stat(d.mount("f"));
        assertThat(mounted.mtimeSec()).isEqualTo(1_500_000_000L);
        assertThat(mounted.mtimeNsec()).isEqualTo(987_654_321);
    }

    @Test
    void utimeNowAndOmit() throws Exception {
        Sides d = fs.fresh();
        Files.writeString(d.host("f"), "x");
        Metadata.utimensat(Flags.AT_FDCWD, d.host("f").toString(), 1_000_000_000L, 1, 1_000_000_000L, 2, 0);
        long before = System.currentTimeMillis() / 1000 - 2;
        // mtime now, atime left alone.
        Metadata.utimensat(Flags.AT_FDCWD, d.mount("f").toString(), 0, Flags.UTIME_OMIT, 0, Flags.UTIME_NOW, 0);
        Stat host = stat(d.host("f"));
        assertThat(host.atimeSec()).isEqualTo(1_000_000_000L);
        assertThat(host.atimeNsec()).isEqualTo(1);
        assertThat(host.mtimeSec()).isGreaterThanOrEqualTo(before);
        // atime set, mtime left alone.
        Metadata.utimensat(Flags.AT_FDCWD, d.mount("f").toString(), 7, 7, 0, Flags.UTIME_OMIT, 0);
        Stat again = stat(d.host("f"));
        assertThat(again.atimeSec()).isEqualTo(7);
        assertThat(again.atimeNsec()).isEqualTo(7);
        assertThat(again.mtimeSec()).isEqualTo(host.mtimeSec());
        assertThat(again.mtimeNsec()).isEqualTo(host.mtimeNsec());
    }

    @Test
    void utimensOfASymlinkItself() throws Exception {
        Sides d = fs.fresh();
        Files.writeString(d.host("f"), "x");
        Metadata.utimensat(Flags.AT_FDCWD, d.host("f").toString(), 9, 9, 9, 9, 0);
        Files.createSymbolicLink(d.host("link"), Path.of("f"));
        Metadata.utimensat(Flags.AT_FDCWD, d.mount("link").toString(), 1_234, 5, 6_789, 10, Flags.AT_SYMLINK_NOFOLLOW);
        Stat link = lstat(d.host("link"));
        assertThat(link.mtimeSec()).isEqualTo(6_789);
        assertThat(link.mtimeNsec()).isEqualTo(10);
        assertThat(stat(d.host("f")).mtimeSec()).as("the target is untouched").isEqualTo(9);
    }

    @Test
    void utimensOnAnOpenFile() throws Exception {
        Sides d = fs.fresh();
        Files.writeString(d.host("f"), "x");
        int fd = Sys.open(d.mount("f"), Flags.O_RDONLY);
        try {
            Metadata.futimens(fd, 42, 43, 44, 45);
        } finally {
            Sys.close(fd);
        }
        Stat host = stat(d.host("f"));
        assertThat(new long[] {host.atimeSec(), host.atimeNsec(), host.mtimeSec(), host.mtimeNsec()})
                .containsExactly(42, 43, 44, 45);
    }

    @Test
    void statMatchesTheHostsStat() throws Exception {
        Sides d = fs.fresh();
        Files.write(d.host("f"), new byte[12_345]);
        Metadata.utimensat(Flags.AT_FDCWD, d.host("f").toString(), 5, 6, 1_600_000_000L, 111_222_333, 0);
        Metadata.fchownat(Flags.AT_FDCWD, d.host("f").toString(), 1001, 1002, 0);
        Metadata.fchmodat(Flags.AT_FDCWD, d.host("f").toString(), 0604, 0);
        Files.createLink(d.host("hard"), d.host("f"));
        Files.createDirectory(d.host("dir"));
        Files.createSymbolicLink(d.host("sym"), Path.of("/some/where"));
        for (String name : new String[] {"f", "dir", "sym", "."}) {
            Stat host = lstat(d.host(name));
            Stat mounted = lstat(d.mount(name));
            assertThat(mounted.size()).as(name + " size").isEqualTo(host.size());
            assertThat(mounted.mode()).as(name + " mode").isEqualTo(host.mode());
            assertThat(mounted.nlink()).as(name + " nlink").isEqualTo(host.nlink());
            assertThat(mounted.uid()).as(name + " uid").isEqualTo(host.uid());
            assertThat(mounted.gid()).as(name + " gid").isEqualTo(host.gid());
            assertThat(mounted.ino()).as(name + " ino").isEqualTo(host.ino());
            assertThat(mounted.blocks()).as(name + " blocks").isEqualTo(host.blocks());
            assertThat(mounted.mtimeSec()).as(name + " mtime").isEqualTo(host.mtimeSec());
            assertThat(mounted.mtimeNsec()).as(name + " mtime ns").isEqualTo(host.mtimeNsec());
            assertThat(mounted.ctimeSec()).as(name + " ctime").isEqualTo(host.ctimeSec());
            assertThat(mounted.ctimeNsec()).as(name + " ctime ns").isEqualTo(host.ctimeNsec());
        }
        assertThat(lstat(d.mount("f")).nlink()).isEqualTo(2);
    }

    @Test
    void chmodOfAMissingFileIsEnoent() throws Exception {
        Sides d = fs.fresh();
        for (Path dir : new Path[] {d.mount(), d.local()}) {
            assertThat(Sys.errno(() -> Metadata.fchmodat(
                            Flags.AT_FDCWD, dir.resolve("nope").toString(), 0644, 0)))
                    .isEqualTo(Errno.ENOENT);
        }
    }

    static Stat stat(Path path) throws java.io.IOException {
        return Metadata.statx(Flags.AT_FDCWD, path.toString(), 0);
    }

    static Stat lstat(Path path) throws java.io.IOException {
        return Metadata.statx(Flags.AT_FDCWD, path.toString(), Flags.AT_SYMLINK_NOFOLLOW);
    }
}
