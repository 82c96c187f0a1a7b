package io.dpuoffload.linux;

import static io.dpuoffload.linux.Flags.AT_EMPTY_PATH;
import static io.dpuoffload.linux.Flags.AT_SYMLINK_NOFOLLOW;
import static io.dpuoffload.linux.Flags.O_NOFOLLOW;
import static io.dpuoffload.linux.Flags.O_PATH;
import static io.dpuoffload.linux.Flags.O_RDONLY;
import static io.dpuoffload.linux.Flags.UTIME_NOW;
import static io.dpuoffload.linux.Flags.UTIME_OMIT;
import static io.dpuoffload.linux.OpenAt2IT.assertErrno;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** statx, statfs, chmod, chown and utimens against what the JDK (and the kernel) report. */
class MetadataIT {
    private static final long TMPFS_MAGIC = 0x01021994L;
    private static final long PROC_SUPER_MAGIC = 0x9fa0L;

    @TempDir
    Path tmp;

    private final Fds fds = new Fds();
    private int dir;

    @BeforeAll
    static void root() throws IOException {
        Fds.requireRoot();
    }

    @BeforeEach
    void open() throws IOException {
        dir = fds.dir(tmp);
        Files.writeString(tmp.resolve("file"), "twelve bytes");
        Files.createSymbolicLink(tmp.resolve("link"), Path.of("file"));
    }

    @AfterEach
    void close() {
        fds.close();
    }

    @Test
    void statxAgreesWithTheJdk() throws IOException {
        Stat st = Metadata.statx(dir, "file", 0);
        Path file = tmp.resolve("file");
        assertThat(st.isRegularFile()).isTrue();
        assertThat(st.size()).isEqualTo(12);
        assertThat(st.nlink()).isEqualTo(1);
        assertThat(st.uid()).isZero();
        assertThat(st.gid()).isZero();
        assertThat(st.ino()).isEqualTo((Long) Files.getAttribute(file, "unix:ino"));
        assertThat(st.dev()).isEqualTo((Long) Files.getAttribute(file, "unix:dev"));
        assertThat(st.mode()).isEqualTo((Integer) Files.getAttribute(file, "unix:mode"));
        assertThat(st.blksize()).isPositive();
        Instant mtime = Files.getLastModifiedTime(file).toInstant();
        assertThat(st.mtimeSec()).isEqualTo(mtime.getEpochSecond());
        assertThat(st.mtimeNsec()).isEqualTo(mtime.getNano());
        assertThat(st.ctimeSec()).isPositive();
        assertThat(Metadata.statx(dir, "", AT_EMPTY_PATH).isDirectory()).isTrue();
    }

    @Test
    void symlinksFollowedOrNot() throws IOException {
        assertThat(Metadata.statx(dir, "link", 0).isRegularFile()).isTrue();
        Stat link = Metadata.statx(dir, "link", AT_SYMLINK_NOFOLLOW);
        assertThat(link.isSymbolicLink()).isTrue();
        assertThat(link.size()).isEqualTo(4); // the length of "file"
        int linkFd = fds.open(dir, "link", O_PATH | O_NOFOLLOW);
        assertThat(Metadata.fstat(linkFd).isSymbolicLink()).isTrue();
        try (Arena arena = Arena.ofConfined()) {
            assertThat(Metadata.statx(dir, arena.allocateFrom("link"), AT_SYMLINK_NOFOLLOW))
                    .isEqualTo(link);
        }
        assertThatThrownBy(() -> Metadata.statx(dir, "missing/x", 0))
                .hasMessage("statx(missing/x): No such file or directory (ENOENT)");
    }

    @Test
    void devicesCarryTheirNumbers() throws IOException {
        Stat nul = Metadata.statx(Flags.AT_FDCWD, "/dev/null", 0);
        assertThat(nul.type()).isEqualTo(Flags.S_IFCHR);
        assertThat(Stat.major(nul.rdev())).isEqualTo(1);
        assertThat(Stat.minor(nul.rdev())).isEqualTo(3);
    }

    @Test
    void utimensSetsNanosecondsOmitsAndNows() throws IOException {
        Metadata.utimensat(dir, "file", 1_000_000_000L, 123_456_789, 1_500_000_000L, 987_654_321, 0);
        Stat st = Metadata.statx(dir, "file", 0);
        assertThat(st.atimeSec()).isEqualTo(1_000_000_000L);
        assertThat(st.atimeNsec()).isEqualTo(123_456_789);
        assertThat(st.mtimeSec()).isEqualTo(1_500_000_000L);
        assertThat(st.mtimeNsec()).isEqualTo(987_654_321);

        // The kernel stamps UTIME_NOW from its coarse clock, up to a tick behind this one: just past a
        // second's turn it may still say the second before.
        long before = Instant.now().getEpochSecond() - 1;
        Metadata.utimensat(dir, "file", 0, UTIME_OMIT, 0, UTIME_NOW, 0);
        st = Metadata.statx(dir, "file", 0);
        assertThat(st.atimeSec()).isEqualTo(1_000_000_000L);
        assertThat(st.mtimeSec()).isBetween(before, before + 6);

        // on the link itself, and through an O_PATH descriptor
        Metadata.utimensat(dir, "link", 7, 0, 7, 0, AT_SYMLINK_NOFOLLOW);
        assertThat(Files.getLastModifiedTime(tmp.resolve("link"), LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(FileTime.fromMillis(7000));
        int path = fds.open(dir, "file", O_PATH);
        Metadata.futimens(path, 42, 0, 43, 5);
        assertThat(Metadata.fstat(path).mtimeSec()).isEqualTo(43);
        assertThat(Metadata.fstat(path).mtimeNsec()).isEqualTo(5);
    }

    @Test
    void chmodByDescriptorPathAndOPath() throws IOException {
        int fd = fds.open(dir, "file", O_RDONLY);
        Metadata.fchmod(fd, 0640);
        assertThat(Metadata.fstat(fd).permissions()).isEqualTo(0640);
        Metadata.fchmodat(dir, "file", 04711, 0);
        assertThat(Metadata.fstat(fd).permissions()).isEqualTo(04711);

        int path = fds.open(dir, "file", O_PATH);
        assertErrno(() -> Metadata.fchmod(path, 0600), Errno.EBADF);
        Metadata.fchmodat(path, "", 0600, AT_EMPTY_PATH); // fchmodat2, Linux 6.6+
        assertThat(Metadata.fstat(fd).permissions()).isEqualTo(0600);
        assertErrno(() -> Metadata.fchmodat(dir, "link", 0600, AT_SYMLINK_NOFOLLOW), Errno.EOPNOTSUPP);
    }

    @Test
    void chownTheFileTheLinkAndAnOPathDescriptor() throws IOException {
        Metadata.fchownat(dir, "file", 1000, 1001, 0);
        Stat st = Metadata.statx(dir, "file", 0);
        assertThat(st.uid()).isEqualTo(1000);
        assertThat(st.gid()).isEqualTo(1001);

        Metadata.fchownat(dir, "link", 2000, -1, AT_SYMLINK_NOFOLLOW);
        assertThat(Metadata.statx(dir, "link", AT_SYMLINK_NOFOLLOW).uid()).isEqualTo(2000);
        assertThat(Metadata.statx(dir, "file", 0).uid()).isEqualTo(1000);

        int path = fds.open(dir, "file", O_PATH);
        Metadata.fchown(path, 3000, 3000);
        assertThat(Metadata.fstat(path).uid()).isEqualTo(3000);
        assertThat(Metadata.fstat(path).gid()).isEqualTo(3000);
    }

    @Test
    void statfsNamesTheFileSystem() throws IOException {
        StatFs here = Metadata.fstatfs(dir);
        assertThat(here.bsize()).isPositive();
        assertThat(here.blocks()).isPositive();
        assertThat(here.bavail()).isLessThanOrEqualTo(here.bfree());
        assertThat(here.namelen()).isEqualTo(255);
        assertThat(here.frsize()).isPositive();
        assertThat(Metadata.statfs("/proc").type()).isEqualTo(PROC_SUPER_MAGIC);
        assertThat(Metadata.statfs("/dev/shm").type()).isEqualTo(TMPFS_MAGIC);
        assertThat(Metadata.statfs(tmp.toString()).fsid()).isEqualTo(here.fsid());
        assertErrno(() -> Metadata.statfs("/no/such/dir"), Errno.ENOENT);
    }
}
