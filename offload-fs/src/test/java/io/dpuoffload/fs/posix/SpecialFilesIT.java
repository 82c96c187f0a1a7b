package io.dpuoffload.fs.posix;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.allowlist.PathPrefixes;
import io.dpuoffload.linux.DirEntry;
import io.dpuoffload.linux.Directories;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.PathCalls;
import io.dpuoffload.linux.Stat;
import io.dpuoffload.linux.StatFs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** mknod (fifos, shared or not; devices only where allowed), statfs and access(2). */
class SpecialFilesIT {
    @RegisterExtension
    static final MountedExport fs = MountedExport.usual();

    @Test
    void mknodMakesAFifoOnTheHost() throws Exception {
        Sides d = fs.fresh();
        PathCalls.mknodat(Flags.AT_FDCWD, d.mount("fifo").toString(), Flags.S_IFIFO | 0640, 0);
        Stat host = MetadataIT.lstat(d.host("fifo"));
        assertThat(host.isFifo()).isTrue();
        assertThat(host.permissions()).isEqualTo(0640);
        // Not under sharedFifos: the DPU sees a fifo, exactly as the host has it.
        assertThat(MetadataIT.lstat(d.mount("fifo")).isFifo()).isTrue();
        assertThat(MetadataIT.lstat(d.mount("fifo")).permissions()).isEqualTo(0640);
        assertThat(Sys.errno(
                        () -> PathCalls.mknodat(Flags.AT_FDCWD, d.mount("fifo").toString(), Flags.S_IFIFO | 0640, 0)))
                .isEqualTo(Errno.EEXIST);
        PathCalls.mknodat(Flags.AT_FDCWD, d.mount("plain").toString(), Flags.S_IFREG | 0600, 0);
        assertThat(MetadataIT.lstat(d.host("plain")).isRegularFile()).isTrue();
    }

    /**
     * Under the export's sharedFifos a fifo is shown as a regular file (so that its opens, reads and
     * writes reach the host's fifo: docs/offload-fs.md, FIFOs), elsewhere as a fifo; listings agree
     * with lookups; and truncate(2) of a shared one answers EINVAL at once, as locally, rather than
     * opening it for writing and waiting for a reader.
     */
    @Test
    void sharedFifosAreRegularFilesUnderTheirPrefixOnly(@TempDir Path own) throws Exception {
        try (PosixMount shared = PosixMount.start(own, e -> e.withSharedFifos(new PathPrefixes(List.of("/run"))))) {
            Path exported = shared.exported();
            for (String dir : List.of("run", "run/sub", "other")) {
                Files.createDirectories(exported.resolve(dir));
                PathCalls.mknodat(Flags.AT_FDCWD, exported.resolve(dir + "/p").toString(), Flags.S_IFIFO | 0600, 0);
            }
            Path mnt = shared.mountpoint();
            assertThat(MetadataIT.lstat(mnt.resolve("run/p")).isRegularFile()).isTrue();
            assertThat(MetadataIT.lstat(mnt.resolve("run/sub/p")).isRegularFile())
                    .isTrue();
            assertThat(MetadataIT.lstat(mnt.resolve("other/p")).isFifo()).isTrue();
            assertThat(listedType(mnt.resolve("run"), "p")).isEqualTo(DirEntry.DT_REG);
            assertThat(listedType(mnt.resolve("other"), "p")).isEqualTo(DirEntry.DT_FIFO);

            long start = System.nanoTime();
            assertThat(Sys.errno(() -> Sys.truncate(mnt.resolve("run/p"), 0))).isEqualTo(Errno.EINVAL);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }

    private static int listedType(Path dir, String name) throws Exception {
        int fd = Sys.open(dir, Flags.O_RDONLY | Flags.O_DIRECTORY);
        try {
            return Directories.readAll(fd).stream()
                    .filter(e -> new String(e.name(), java.nio.charset.StandardCharsets.UTF_8).equals(name))
                    .findFirst()
                    .orElseThrow()
                    .type();
        } finally {
            Sys.close(fd);
        }
    }

    /** With devices: true, root on the DPU makes device nodes on the host; they stay unusable on the (nodev) mount. */
    @Test
    void deviceNodesWhereTheExportAllowsThem(@TempDir Path own) throws Exception {
        try (PosixMount devices = PosixMount.start(own, e -> e.withDevices(true))) {
            Path node = devices.mountpoint().resolve("null");
            long null_ = Stat.makedev(1, 3);
            PathCalls.mknodat(Flags.AT_FDCWD, node.toString(), Flags.S_IFCHR | 0666, null_);
            Stat host = MetadataIT.lstat(devices.exported().resolve("null"));
            assertThat(host.type()).isEqualTo(Flags.S_IFCHR);
            assertThat(host.rdev()).isEqualTo(null_);
            assertThat(MetadataIT.lstat(node).type()).isEqualTo(Flags.S_IFCHR);
            assertThat(Sys.openErrno(node, Flags.O_RDONLY, 0)).isEqualTo(Errno.EACCES);
            // A user without CAP_MKNOD is refused by the DPU's kernel, and would be by the host's, in
            // a directory the user may write to (elsewhere EACCES comes first, locally too).
            Path open = Files.createDirectory(devices.mountpoint().resolve("open-to-all"));
            Metadata.fchmodat(Flags.AT_FDCWD, open.toString(), 0777, 0);
            Path other = open.resolve("user-null");
            assertThat(AsUser.call(() -> Sys.errno(
                            () -> PathCalls.mknodat(Flags.AT_FDCWD, other.toString(), Flags.S_IFCHR | 0666, null_))))
                    .isEqualTo(Errno.EPERM);
        }
    }

    @Test
    void deviceNodesAreRefused() throws Exception {
        Sides d = fs.fresh();
        long null_ = Stat.makedev(1, 3);
        assertThat(Sys.errno(() ->
                        PathCalls.mknodat(Flags.AT_FDCWD, d.mount("null").toString(), Flags.S_IFCHR | 0666, null_)))
                .isEqualTo(Errno.EPERM);
        assertThat(Sys.errno(() -> PathCalls.mknodat(
                        Flags.AT_FDCWD, d.mount("blk").toString(), Flags.S_IFBLK | 0600, Stat.makedev(7, 0))))
                .isEqualTo(Errno.EPERM);
        assertThat(d.host("null")).doesNotExist();
        assertThat(d.host("blk")).doesNotExist();
    }

    @Test
    void statfsIsTheHostsFileSystem() throws Exception {
        StatFs host = Metadata.statfs(fs.exported().toString());
        StatFs mounted = Metadata.statfs(fs.mountpoint().toString());
        assertThat(mounted.bsize()).isEqualTo(host.bsize());
        assertThat(mounted.frsize()).isEqualTo(host.frsize());
        assertThat(mounted.blocks()).isEqualTo(host.blocks());
        assertThat(mounted.files()).isEqualTo(host.files());
        assertThat(mounted.namelen()).isEqualTo(host.namelen());
        assertThat(mounted.bfree()).isCloseTo(host.bfree(), org.assertj.core.data.Offset.offset(host.blocks() / 100));
        assertThat(mounted.bavail()).isCloseTo(host.bavail(), org.assertj.core.data.Offset.offset(host.blocks() / 100));
        assertThat(mounted.ffree()).isCloseTo(host.ffree(), org.assertj.core.data.Offset.offset(10_000L));
    }

    @Test
    void accessAnswersAsOnTheHost() throws Exception {
        Sides d = fs.fresh();
        for (Path dir : new Path[] {d.host(), d.local()}) {
            Files.writeString(dir.resolve("rw"), "x");
            Metadata.fchmodat(Flags.AT_FDCWD, dir.resolve("rw").toString(), 0644, 0);
            Files.writeString(dir.resolve("exec"), "x");
            Metadata.fchmodat(Flags.AT_FDCWD, dir.resolve("exec").toString(), 0700, 0);
            Files.writeString(dir.resolve("none"), "x");
            Metadata.fchmodat(Flags.AT_FDCWD, dir.resolve("none").toString(), 0, 0);
        }
        int[] modes = {Flags.F_OK, Flags.R_OK, Flags.W_OK, Flags.X_OK, Flags.R_OK | Flags.W_OK | Flags.X_OK};
        for (String name : new String[] {"rw", "exec", "none", "missing"}) {
            for (int mode : modes) {
                for (int flags : new int[] {0, Flags.AT_EACCESS}) {
                    int onMount = Sys.errno(() ->
                            PathCalls.faccessat2(Flags.AT_FDCWD, d.mount(name).toString(), mode, flags));
                    int locally = Sys.errno(() ->
                            PathCalls.faccessat2(Flags.AT_FDCWD, d.local(name).toString(), mode, flags));
                    assertThat(onMount).as("root: access(%s, %d)", name, mode).isEqualTo(locally);
                }
                int asUserOnMount = AsUser.call(() -> Sys.errno(
                        () -> PathCalls.faccessat2(Flags.AT_FDCWD, d.mount(name).toString(), mode, Flags.AT_EACCESS)));
                int asUserLocally = AsUser.call(() -> Sys.errno(
                        () -> PathCalls.faccessat2(Flags.AT_FDCWD, d.local(name).toString(), mode, Flags.AT_EACCESS)));
                assertThat(asUserOnMount)
                        .as("uid 1000: access(%s, %d)", name, mode)
                        .isEqualTo(asUserLocally);
            }
        }
    }
}
