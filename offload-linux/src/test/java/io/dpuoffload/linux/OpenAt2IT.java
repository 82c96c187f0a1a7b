package io.dpuoffload.linux;

import static io.dpuoffload.linux.Flags.AT_FDCWD;
import static io.dpuoffload.linux.Flags.O_CLOEXEC;
import static io.dpuoffload.linux.Flags.O_CREAT;
import static io.dpuoffload.linux.Flags.O_EXCL;
import static io.dpuoffload.linux.Flags.O_PATH;
import static io.dpuoffload.linux.Flags.O_RDONLY;
import static io.dpuoffload.linux.Flags.O_WRONLY;
import static io.dpuoffload.linux.Flags.RESOLVE_BENEATH;
import static io.dpuoffload.linux.Flags.RESOLVE_IN_ROOT;
import static io.dpuoffload.linux.Flags.RESOLVE_NO_MAGICLINKS;
import static io.dpuoffload.linux.Flags.RESOLVE_NO_SYMLINKS;
import static io.dpuoffload.linux.Flags.RESOLVE_NO_XDEV;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** openat2 keeps a lookup beneath the export root: the file server's defence against escapes. */
class OpenAt2IT {
    @TempDir
    Path tmp;

    private final Fds fds = new Fds();
    private Path root;
    private int rootFd;

    @BeforeAll
    static void root() throws IOException {
        Fds.requireRoot();
    }

    @BeforeEach
    void export() throws IOException {
        root = Files.createDirectory(tmp.resolve("export"));
        Files.createDirectory(root.resolve("sub"));
        Files.writeString(root.resolve("sub/file"), "inside");
        Files.writeString(tmp.resolve("x"), "outside");
        rootFd = fds.dir(root);
    }

    @AfterEach
    void close() {
        fds.close();
    }

    @Test
    void opensAPathBeneathTheRoot() throws IOException {
        int fd = fds.add(FileCalls.openat2(rootFd, "sub/file", O_RDONLY | O_CLOEXEC, 0, RESOLVE_BENEATH));
        assertThat(readAll(fd)).isEqualTo("inside");
    }

    @Test
    void refusesDotDotOutOfTheRoot() {
        assertThatThrownBy(() -> FileCalls.openat2(rootFd, "../x", O_RDONLY | O_CLOEXEC, 0, RESOLVE_BENEATH))
                .isInstanceOfSatisfying(
                        ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EXDEV))
                .hasMessage("openat2(../x): Invalid cross-device link (EXDEV)");
        assertThatThrownBy(() -> FileCalls.openat2(rootFd, "sub/../../x", O_RDONLY, 0, RESOLVE_BENEATH))
                .isInstanceOfSatisfying(
                        ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EXDEV));
    }

    @Test
    void refusesAnAbsolutePathAndAnAbsoluteSymlink() throws IOException {
        Files.createSymbolicLink(root.resolve("abs"), tmp.resolve("x"));
        assertErrno(() -> FileCalls.openat2(rootFd, "abs", O_RDONLY, 0, RESOLVE_BENEATH), Errno.EXDEV);
        assertErrno(
                () -> FileCalls.openat2(rootFd, tmp.resolve("x").toString(), O_RDONLY, 0, RESOLVE_BENEATH),
                Errno.EXDEV);
    }

    @Test
    void refusesADotDotSymlinkButFollowsOneThatStaysInside() throws IOException {
        Files.createSymbolicLink(root.resolve("up"), Path.of("../x"));
        Files.createSymbolicLink(root.resolve("sub/deep-up"), Path.of("../../x"));
        Files.createSymbolicLink(root.resolve("sub/sibling"), Path.of("../sub/file"));
        assertErrno(() -> FileCalls.openat2(rootFd, "up", O_RDONLY, 0, RESOLVE_BENEATH), Errno.EXDEV);
        assertErrno(() -> FileCalls.openat2(rootFd, "sub/deep-up", O_RDONLY, 0, RESOLVE_BENEATH), Errno.EXDEV);
        int fd = fds.add(FileCalls.openat2(rootFd, "sub/sibling", O_RDONLY | O_CLOEXEC, 0, RESOLVE_BENEATH));
        assertThat(readAll(fd)).isEqualTo("inside");
    }

    @Test
    void inRootResolvesAbsoluteSymlinksInsideTheRoot() throws IOException {
        // The way to keep an export's absolute symlinks working: "/" means the export root.
        Files.createSymbolicLink(root.resolve("abs-in"), Path.of("/sub/file"));
        Files.createSymbolicLink(root.resolve("climb"), Path.of("../../../sub/file"));
        assertThat(readAll(fds.add(FileCalls.openat2(rootFd, "abs-in", O_RDONLY | O_CLOEXEC, 0, RESOLVE_IN_ROOT))))
                .isEqualTo("inside");
        assertThat(readAll(fds.add(FileCalls.openat2(rootFd, "climb", O_RDONLY | O_CLOEXEC, 0, RESOLVE_IN_ROOT))))
                .isEqualTo("inside");
    }

    @Test
    void noSymlinksAndNoMagicLinks() throws IOException {
        Files.createSymbolicLink(root.resolve("link"), Path.of("sub/file"));
        assertErrno(() -> FileCalls.openat2(rootFd, "link", O_RDONLY, 0, RESOLVE_NO_SYMLINKS), Errno.ELOOP);
        // /proc/self/fd/N is a magic link: it jumps to the open file wherever it is
        String magic = "/proc/self/fd/" + rootFd;
        assertErrno(() -> FileCalls.openat2(AT_FDCWD, magic, O_RDONLY, 0, RESOLVE_NO_MAGICLINKS), Errno.ELOOP);
        fds.add(FileCalls.openat2(AT_FDCWD, magic, O_RDONLY | O_CLOEXEC, 0, 0));
    }

    @Test
    void noXdevStopsAtAMountPoint() throws IOException {
        int slash = fds.dir(Path.of("/"));
        assertErrno(() -> FileCalls.openat2(slash, "proc/self", O_PATH, 0, RESOLVE_NO_XDEV), Errno.EXDEV);
    }

    @Test
    void createsWithModeAndRefusesAnExistingFileWithExcl() throws IOException {
        int fd = fds.add(
                FileCalls.openat2(rootFd, "new", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600, RESOLVE_BENEATH));
        assertThat(Metadata.fstat(fd).permissions()).isEqualTo(0600);
        assertThatThrownBy(() -> FileCalls.openat2(rootFd, "new", O_WRONLY | O_CREAT | O_EXCL, 0600, RESOLVE_BENEATH))
                .hasMessage("openat2(new): File exists (EEXIST)");
    }

    @Test
    void strictAboutFlagsUnlikeOpenat() {
        assertErrno(() -> FileCalls.openat2(rootFd, "sub/file", O_RDONLY | (1L << 40), 0, 0), Errno.EINVAL);
        assertErrno(() -> FileCalls.openat2(rootFd, "sub/file", O_RDONLY, 0644, 0), Errno.EINVAL);
        assertErrno(() -> FileCalls.openat2(rootFd, "sub/file", O_RDONLY, 0, 1L << 20), Errno.EINVAL);
    }

    @Test
    void takesAPathAlreadyInNativeMemory() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom("sub/file");
            int fd = fds.add(FileCalls.openat2(rootFd, cPath, O_RDONLY | O_CLOEXEC, 0, RESOLVE_BENEATH));
            assertThat(readAll(fd)).isEqualTo("inside");
            assertThatThrownBy(
                            () -> FileCalls.openat2(rootFd, arena.allocateFrom("../x"), O_RDONLY, 0, RESOLVE_BENEATH))
                    .hasMessage("openat2(../x): Invalid cross-device link (EXDEV)");
        }
    }

    @Test
    void openatWithoutResolveLimitsDoesEscape() throws IOException {
        // the contrast: why the server must not use plain openat on client paths
        assertThat(readAll(fds.open(rootFd, "../x", O_RDONLY))).isEqualTo("outside");
        assertErrno(() -> FileCalls.openat(rootFd, "missing", O_RDONLY, 0), Errno.ENOENT);
    }

    @Test
    void aNameWithNulIsRefusedBeforeTheKernelSeesIt() {
        assertThatThrownBy(() -> FileCalls.openat2(rootFd, new byte[] {'s', 'u', 'b', 0, 'x'}, O_RDONLY, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static String readAll(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(4096);
            int n = FileCalls.pread(fd, buf, 0);
            return Fds.string(buf, n);
        }
    }

    interface Call {
        void run() throws IOException;
    }

    static void assertErrno(Call call, int errno) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(Errno.name(e.errno()))
                        .as(e.getMessage())
                        .isEqualTo(Errno.name(errno)));
    }
}
