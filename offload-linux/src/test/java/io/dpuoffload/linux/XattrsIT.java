package io.dpuoffload.linux;

import static io.dpuoffload.linux.OpenAt2IT.assertErrno;
import static io.dpuoffload.linux.Xattrs.XATTR_CREATE;
import static io.dpuoffload.linux.Xattrs.XATTR_REPLACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * user.* attributes: set, get (with size probing), list, remove, on paths, links and descriptors. Runs where
 * the temp directory supports user xattrs (ext4, xfs, btrfs; tmpfs since Linux 6.6); otherwise on a tmpfs
 * mounted for the test, unmounted after.
 */
class XattrsIT {
    @TempDir
    Path tmp;

    private final Fds fds = new Fds();
    private Path base;
    private boolean mounted;
    private String file;

    @BeforeAll
    static void root() throws IOException {
        Fds.requireRoot();
    }

    @BeforeEach
    void pickAFileSystemWithUserXattrs() throws IOException {
        base = tmp;
        Path probe = Files.writeString(tmp.resolve("probe"), "");
        try {
            Xattrs.setxattr(probe.toString(), "user.probe", new byte[] {1}, 0);
        } catch (ErrnoException e) {
            if (!e.is(Errno.EOPNOTSUPP)) {
                throw e;
            }
            base = Files.createDirectory(tmp.resolve("tmpfs"));
            Mounts.mount("xattr-test", base.toString(), "tmpfs", Mounts.MS_NOSUID | Mounts.MS_NODEV, "size=1m");
            mounted = true;
        }
        file = Files.writeString(base.resolve("file"), "data").toString();
    }

    @AfterEach
    void cleanUp() throws IOException {
        fds.close();
        if (mounted) {
            Mounts.umount2(base.toString(), Mounts.MNT_DETACH);
        }
    }

    @Test
    void setGetListRemove() throws IOException {
        Xattrs.setxattr(file, "user.colour", Fds.bytes("blue"), 0);
        Xattrs.setxattr(file, "user.empty", new byte[0], 0);
        assertThat(Xattrs.getxattr(file, "user.colour")).isEqualTo(Fds.bytes("blue"));
        assertThat(Xattrs.getxattr(file, "user.empty")).isEmpty();
        assertThat(Xattrs.listxattr(file)).map(String::new).contains("user.colour", "user.empty");

        Xattrs.removexattr(file, "user.colour");
        assertThatThrownBy(() -> Xattrs.getxattr(file, "user.colour"))
                .hasMessage("getxattr(" + file + ", user.colour): No data available (ENODATA)");
        assertErrno(() -> Xattrs.removexattr(file, "user.colour"), Errno.ENODATA);
        assertThat(Xattrs.listxattr(file)).map(String::new).doesNotContain("user.colour");
    }

    @Test
    void createAndReplaceFlags() throws IOException {
        assertErrno(() -> Xattrs.setxattr(file, "user.k", Fds.bytes("v"), XATTR_REPLACE), Errno.ENODATA);
        Xattrs.setxattr(file, "user.k", Fds.bytes("v1"), XATTR_CREATE);
        assertErrno(() -> Xattrs.setxattr(file, "user.k", Fds.bytes("v2"), XATTR_CREATE), Errno.EEXIST);
        Xattrs.setxattr(file, "user.k", Fds.bytes("v3"), XATTR_REPLACE);
        assertThat(Xattrs.getxattr(file, "user.k")).isEqualTo(Fds.bytes("v3"));
    }

    @Test
    void sizeProbeSemanticsAsFuseNeedsThem() throws IOException {
        byte[] value = new byte[3000]; // larger than the first guess: exercises the ERANGE path
        Arrays.fill(value, (byte) 0xab);
        Xattrs.setxattr(file, "user.big", value, 0);
        byte[] path = Fds.bytes(file);
        byte[] name = Fds.bytes("user.big");
        try (Arena arena = Arena.ofConfined()) {
            assertThat(Xattrs.getxattr(path, name, MemorySegment.NULL)).isEqualTo(3000); // size query
            assertErrno(() -> Xattrs.getxattr(path, name, arena.allocate(10)), Errno.ERANGE);
            MemorySegment buf = arena.allocate(4000);
            assertThat(Xattrs.getxattr(path, name, buf)).isEqualTo(3000);
            int listSize = Xattrs.listxattr(path, MemorySegment.NULL);
            assertThat(listSize).isGreaterThanOrEqualTo("user.big".length() + 1);
            assertErrno(() -> Xattrs.listxattr(path, arena.allocate(1)), Errno.ERANGE);
        }
        assertThat(Xattrs.getxattr(file, "user.big")).isEqualTo(value);
    }

    @Test
    void onADescriptor() throws IOException {
        int fd = fds.open(Flags.AT_FDCWD, file, Flags.O_RDONLY);
        Xattrs.fsetxattr(fd, "user.fd", Fds.bytes("via fd"), 0);
        assertThat(Xattrs.fgetxattr(fd, "user.fd")).isEqualTo(Fds.bytes("via fd"));
        assertThat(Xattrs.flistxattr(fd)).map(String::new).contains("user.fd");
        Xattrs.fremovexattr(fd, "user.fd");
        assertThatThrownBy(() -> Xattrs.fgetxattr(fd, "user.fd"))
                .hasMessage("fgetxattr(user.fd): No data available (ENODATA)");

        int pathFd = fds.open(Flags.AT_FDCWD, file, Flags.O_PATH);
        assertErrno(() -> Xattrs.fgetxattr(pathFd, "user.fd"), Errno.EBADF); // O_PATH: use /proc/self/fd/N
        Xattrs.setxattr("/proc/self/fd/" + pathFd, "user.magic", Fds.bytes("m"), 0);
        assertThat(Xattrs.getxattr(file, "user.magic")).isEqualTo(Fds.bytes("m"));
    }

    @Test
    void symlinksFollowedOrNot() throws IOException {
        Xattrs.setxattr(file, "user.target", Fds.bytes("t"), 0);
        Path link = Files.createSymbolicLink(base.resolve("link"), Path.of("file"));
        byte[] linkPath = Fds.bytes(link.toString());
        assertThat(Xattrs.getxattr(linkPath, Fds.bytes("user.target"))).isEqualTo(Fds.bytes("t"));
        assertErrno(() -> Xattrs.lgetxattr(linkPath, Fds.bytes("user.target")), Errno.ENODATA);
        assertErrno(() -> Xattrs.lsetxattr(linkPath, Fds.bytes("user.x"), Fds.bytes("x"), 0), Errno.EPERM);
        assertThat(Xattrs.llistxattr(linkPath)).map(String::new).doesNotContain("user.target");
        Xattrs.lremovexattr(Fds.bytes(file), Fds.bytes("user.target"));
    }

    @Test
    void valuesAreBytes() throws IOException {
        byte[] binary = {0, 1, 2, (byte) 0xff, 0};
        Xattrs.setxattr(file, "user.binary", binary, 0);
        assertThat(Xattrs.getxattr(file, "user.binary")).isEqualTo(binary);
        assertErrno(() -> Xattrs.setxattr(file, "nonamespace", binary, 0), Errno.EOPNOTSUPP);
    }
}
