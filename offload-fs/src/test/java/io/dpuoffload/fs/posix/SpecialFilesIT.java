package io.dpuoffload.fs.posix;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.PathCalls;
import io.dpuoffload.linux.Stat;
import io.dpuoffload.linux.StatFs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mknod (fifos yes, devices no), statfs and access(2). */
class SpecialFilesIT {
    @TempDir
    static Path work;

    static PosixMount fs;

    @BeforeAll
    static void mount() throws Exception {
        fs = PosixMount.start(work);
    }

    @AfterAll
    static void unmount() {
        fs.close();
    }

    @Test
    void mknodMakesAFifoOnTheHost() throws Exception {
        Sides d = fs.fresh();
        PathCalls.mknodat(Flags.AT_FDCWD, d.mount("fifo").toString(), Flags.S_IFIFO | 0640, 0);
        Stat host = MetadataIT.lstat(d.host("fifo"));
        assertThat(host.isFifo()).isTrue();
        assertThat(host.permissions()).isEqualTo(0640);
        // The DPU sees the bridged fifo as a regular file (docs/offload-fs.md, "FIFOs").
        assertThat(MetadataIT.lstat(d.mount("fifo")).isRegularFile()).isTrue();
        assertThat(MetadataIT.lstat(d.mount("fifo")).permissions()).isEqualTo(0640);
        assertThat(Sys.errno(
                        () -> PathCalls.mknodat(Flags.AT_FDCWD, d.mount("fifo").toString(), Flags.S_IFIFO | 0640, 0)))
                .isEqualTo(Errno.EEXIST);
        PathCalls.mknodat(Flags.AT_FDCWD, d.mount("plain").toString(), Flags.S_IFREG | 0600, 0);
        assertThat(MetadataIT.lstat(d.host("plain")).isRegularFile()).isTrue();
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
