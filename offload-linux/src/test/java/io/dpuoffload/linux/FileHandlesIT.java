package io.dpuoffload.linux;

import static io.dpuoffload.linux.OpenAt2IT.assertErrno;
import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.linux.FileHandles.FileHandle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File handles on the test's own file system (ext4 here): what a handle reopens, that a connectable one
 * is refused beneath a directory the inode has left (unless opened {@link FileHandle#anywhere}), that only root's capabilities open handles (and
 * {@link ThreadCredentials#callAsFsRoot} gives them back to a caller's thread), and RLIMIT_NOFILE.
 */
class FileHandlesIT {
    private static final int NOBODY = 65534;
    private static final int[] NO_GROUPS = {};

    @TempDir
    Path tmp;

    @BeforeAll
    static void root() throws IOException {
        Fds.requireRoot();
    }

    @Test
    void aHandleReopensTheSameInodeUntilItIsDeleted() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        try (Fds fds = new Fds()) {
            int mount = fds.dir(tmp);
            FileHandle handle = FileHandles.encode(Flags.AT_FDCWD, bytes(file), 0);
            assertThat(handle.mountId()).isEqualTo(FileHandles.mountIdOf(mount));
            int fd = fds.add(FileHandles.open(mount, handle, Flags.O_PATH | Flags.O_CLOEXEC));
            assertThat(Metadata.fstat(fd).ino())
                    .isEqualTo(
                            Metadata.statx(Flags.AT_FDCWD, file.toString(), 0).ino());
            fds.close(fd);
            Files.delete(file);
            assertErrno(() -> FileHandles.open(mount, handle, Flags.O_PATH | Flags.O_CLOEXEC), Errno.ESTALE);
        }
    }

    @Test
    void aConnectableHandleOpensOnlyBeneathTheDirectoryGiven() throws IOException {
        Path inside = Files.createDirectories(tmp.resolve("inside"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Path file = Files.writeString(inside.resolve("file"), "x");
        try (Fds fds = new Fds()) {
            int mount = fds.dir(inside);
            FileHandle handle = FileHandles.encode(Flags.AT_FDCWD, bytes(file), FileHandles.CONNECTABLE);
            assertThat(handle.connectable()).isTrue();
            FileCalls.close(FileHandles.open(mount, handle, Flags.O_PATH | Flags.O_CLOEXEC));
            Files.move(file, outside.resolve("file"));
            assertErrno(() -> FileHandles.open(mount, handle, Flags.O_PATH | Flags.O_CLOEXEC), Errno.ESTALE);
            // Only to name it (a fanotify mark's removal): the same inode, where it now is.
            int moved = fds.add(FileHandles.open(mount, handle.anywhere(), Flags.O_PATH | Flags.O_CLOEXEC));
            assertThat(Metadata.fstat(moved).ino())
                    .isEqualTo(Metadata.statx(
                                    Flags.AT_FDCWD, outside.resolve("file").toString(), 0)
                            .ino());
        }
    }

    @Test
    void openingByHandleNeedsRootsCapabilitiesWhichCallAsFsRootLends() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        try (Fds fds = new Fds()) {
            int mount = fds.dir(tmp);
            FileHandle handle = FileHandles.encode(Flags.AT_FDCWD, bytes(file), 0);
            assertErrno(
                    () -> ThreadCredentials.callAs(
                            NOBODY, NOBODY, NO_GROUPS, () -> FileHandles.open(mount, handle, Flags.O_PATH)),
                    Errno.EPERM);
            int fd = ThreadCredentials.callAs(NOBODY, NOBODY, NO_GROUPS, () -> {
                int opened = ThreadCredentials.callAsFsRoot(() -> FileHandles.open(mount, handle, Flags.O_PATH));
                assertThat(ThreadCredentials.fsuid()).isEqualTo(NOBODY);
                return opened;
            });
            fds.add(fd);
            assertThat(ThreadCredentials.fsuid()).isZero();
        }
    }

    @Test
    void procfsHasNoHandles() {
        assertErrno(() -> FileHandles.encode(Flags.AT_FDCWD, bytes(Path.of("/proc/self/stat")), 0), Errno.EOPNOTSUPP);
    }

    @Test
    void theOpenFileLimitCanBeReadAndSet() throws IOException {
        var before = ResourceLimits.openFiles();
        assertThat(before.soft()).isPositive().isLessThanOrEqualTo(before.hard());
        try {
            ResourceLimits.setOpenFiles(new ResourceLimits.Limit(before.soft() - 1, before.hard()));
            assertThat(ResourceLimits.openFiles().soft()).isEqualTo(before.soft() - 1);
        } finally {
            ResourceLimits.setOpenFiles(before);
        }
    }

    private static byte[] bytes(Path path) {
        return path.toString().getBytes(StandardCharsets.UTF_8);
    }
}
