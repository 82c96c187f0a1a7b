package io.dpuoffload.linux;

import static io.dpuoffload.linux.Flags.AT_EACCESS;
import static io.dpuoffload.linux.Flags.AT_EMPTY_PATH;
import static io.dpuoffload.linux.Flags.AT_REMOVEDIR;
import static io.dpuoffload.linux.Flags.AT_SYMLINK_FOLLOW;
import static io.dpuoffload.linux.Flags.AT_SYMLINK_NOFOLLOW;
import static io.dpuoffload.linux.Flags.O_NOFOLLOW;
import static io.dpuoffload.linux.Flags.O_PATH;
import static io.dpuoffload.linux.Flags.O_RDWR;
import static io.dpuoffload.linux.Flags.O_TMPFILE;
import static io.dpuoffload.linux.Flags.RENAME_EXCHANGE;
import static io.dpuoffload.linux.Flags.RENAME_NOREPLACE;
import static io.dpuoffload.linux.Flags.RENAME_WHITEOUT;
import static io.dpuoffload.linux.OpenAt2IT.assertErrno;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Names in a directory: create, remove, rename (with flags), link, symlink, access checks. */
class PathCallsIT {
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
    }

    @AfterEach
    void close() {
        fds.close();
    }

    @Test
    void mkdirAndRemoveDirectories() throws IOException {
        PathCalls.mkdirat(dir, "d", 0750);
        assertThat(Metadata.statx(dir, "d", 0).isDirectory()).isTrue();
        assertThat(Metadata.statx(dir, "d", 0).permissions()).isEqualTo(0750);
        assertErrno(() -> PathCalls.mkdirat(dir, "d", 0755), Errno.EEXIST);
        Files.writeString(tmp.resolve("d/inner"), "x");
        assertErrno(() -> PathCalls.unlinkat(dir, "d", 0), Errno.EISDIR);
        assertErrno(() -> PathCalls.unlinkat(dir, "d", AT_REMOVEDIR), Errno.ENOTEMPTY);
        PathCalls.unlinkat(dir, "d/inner", 0);
        assertErrno(() -> PathCalls.unlinkat(dir, "d/inner", 0), Errno.ENOENT);
        PathCalls.unlinkat(dir, "d", AT_REMOVEDIR);
        assertThat(tmp.resolve("d")).doesNotExist();
    }

    @Test
    void mknodMakesFifosAndDevices() throws IOException {
        PathCalls.mknodat(dir, "fifo", Flags.S_IFIFO | 0640, 0);
        assertThat(Metadata.statx(dir, "fifo", 0).isFifo()).isTrue();
        PathCalls.mknodat(dir, "null", Flags.S_IFCHR | 0666, Stat.makedev(1, 3));
        Stat dev = Metadata.statx(dir, "null", 0);
        assertThat(dev.type()).isEqualTo(Flags.S_IFCHR);
        assertThat(Stat.major(dev.rdev())).isEqualTo(1);
        assertThat(Stat.minor(dev.rdev())).isEqualTo(3);
        PathCalls.mknodat(dir, "plain", Flags.S_IFREG | 0600, 0);
        assertThat(Metadata.statx(dir, "plain", 0).isRegularFile()).isTrue();
    }

    @Test
    void renameNoReplaceRefusesToOverwrite() throws IOException {
        Files.writeString(tmp.resolve("a"), "A");
        Files.writeString(tmp.resolve("b"), "B");
        assertThatThrownBy(() -> PathCalls.renameat2(dir, "a", dir, "b", RENAME_NOREPLACE))
                .hasMessage("renameat2(a, b): File exists (EEXIST)");
        PathCalls.renameat2(dir, "a", dir, "c", RENAME_NOREPLACE);
        assertThat(Files.readString(tmp.resolve("c"))).isEqualTo("A");
        PathCalls.renameat2(dir, "c", dir, "b", 0); // plain rename replaces
        assertThat(Files.readString(tmp.resolve("b"))).isEqualTo("A");
    }

    @Test
    void renameExchangeSwapsAtomically() throws IOException {
        Files.writeString(tmp.resolve("a"), "A");
        Files.createDirectory(tmp.resolve("b"));
        long inoA = Metadata.statx(dir, "a", 0).ino();
        long inoB = Metadata.statx(dir, "b", 0).ino();
        PathCalls.renameat2(dir, "a", dir, "b", RENAME_EXCHANGE);
        assertThat(Metadata.statx(dir, "a", 0).ino()).isEqualTo(inoB);
        assertThat(Metadata.statx(dir, "b", 0).ino()).isEqualTo(inoA);
        assertThat(Files.readString(tmp.resolve("b"))).isEqualTo("A");
        assertErrno(() -> PathCalls.renameat2(dir, "a", dir, "missing", RENAME_EXCHANGE), Errno.ENOENT);
        assertErrno(() -> PathCalls.renameat2(dir, "a", dir, "b", RENAME_EXCHANGE | RENAME_NOREPLACE), Errno.EINVAL);
    }

    @Test
    void renameWhiteoutLeavesAWhiteoutDevice() throws IOException {
        Files.writeString(tmp.resolve("a"), "A");
        PathCalls.renameat2(dir, "a", dir, "moved", RENAME_WHITEOUT);
        Stat whiteout = Metadata.statx(dir, "a", 0);
        assertThat(whiteout.type()).isEqualTo(Flags.S_IFCHR);
        assertThat(whiteout.rdev()).isZero();
    }

    @Test
    void hardLinksIncludingAnOTmpfileMadeVisible() throws IOException {
        Files.writeString(tmp.resolve("f"), "F");
        PathCalls.linkat(dir, "f", dir, "g", 0);
        assertThat(Metadata.statx(dir, "f", 0).nlink()).isEqualTo(2);
        assertErrno(() -> PathCalls.linkat(dir, "f", dir, "g", 0), Errno.EEXIST);

        Files.createSymbolicLink(tmp.resolve("sym"), Path.of("f"));
        PathCalls.linkat(dir, "sym", dir, "to-target", AT_SYMLINK_FOLLOW);
        PathCalls.linkat(dir, "sym", dir, "to-link", 0);
        assertThat(Metadata.statx(dir, "to-target", AT_SYMLINK_NOFOLLOW).isRegularFile())
                .isTrue();
        assertThat(Metadata.statx(dir, "to-link", AT_SYMLINK_NOFOLLOW).isSymbolicLink())
                .isTrue();

        int anon = fds.add(FileCalls.openat(dir, ".", O_TMPFILE | O_RDWR | Flags.O_CLOEXEC, 0600));
        try (Arena arena = Arena.ofConfined()) {
            FileCalls.write(anon, Fds.segment(arena, "born unnamed"));
        }
        PathCalls.linkat(anon, new byte[0], dir, Fds.bytes("named"), AT_EMPTY_PATH);
        assertThat(Files.readString(tmp.resolve("named"))).isEqualTo("born unnamed");
    }

    @Test
    void symlinksHoldAnyBytes() throws IOException {
        byte[] target = {'/', 'n', 'o', 't', (byte) 0xff, 'u', 't', 'f', '8'};
        PathCalls.symlinkat(target, dir, Fds.bytes("odd"));
        assertThat(PathCalls.readlinkat(dir, "odd")).isEqualTo(target);
        assertErrno(() -> PathCalls.symlinkat(target, dir, Fds.bytes("odd")), Errno.EEXIST);

        byte[] longest = new byte[Limits.PATH_MAX - 1];
        Arrays.fill(longest, (byte) 'a');
        PathCalls.symlinkat(longest, dir, Fds.bytes("long"));
        assertThat(PathCalls.readlinkat(dir, Fds.bytes("long"))).isEqualTo(longest);
        byte[] tooLong = new byte[Limits.PATH_MAX];
        Arrays.fill(tooLong, (byte) 'a');
        assertErrno(() -> PathCalls.symlinkat(tooLong, dir, Fds.bytes("too-long")), Errno.ENAMETOOLONG);

        int linkFd = fds.open(dir, "odd", O_PATH | O_NOFOLLOW);
        assertThat(PathCalls.readlinkat(linkFd, new byte[0])).isEqualTo(target);
        Files.writeString(tmp.resolve("plain"), "");
        assertErrno(() -> PathCalls.readlinkat(dir, "plain"), Errno.EINVAL);
    }

    @Test
    void accessChecksAsTheKernelWould() throws IOException {
        Files.writeString(tmp.resolve("f"), "");
        Metadata.fchmodat(dir, "f", 0644, 0);
        PathCalls.faccessat2(dir, "f", Flags.R_OK | Flags.W_OK, AT_EACCESS);
        assertErrno(() -> PathCalls.faccessat2(dir, "f", Flags.X_OK, AT_EACCESS), Errno.EACCES); // even root
        Files.createSymbolicLink(tmp.resolve("dangling"), Path.of("nowhere"));
        assertErrno(() -> PathCalls.faccessat2(dir, "dangling", Flags.F_OK, 0), Errno.ENOENT);
        PathCalls.faccessat2(dir, "dangling", Flags.F_OK, AT_SYMLINK_NOFOLLOW);
    }
}
