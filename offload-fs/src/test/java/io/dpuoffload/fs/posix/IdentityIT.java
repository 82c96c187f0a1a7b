package io.dpuoffload.fs.posix;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.PathCalls;
import io.dpuoffload.linux.Stat;
import io.dpuoffload.linux.ThreadCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Calls made as non-root users on the DPU run as those users on the host: permission checks,
 * owners of new files, supplementary groups.
 */
class IdentityIT {
    private static final int OTHER_GROUP = 1500;

    @RegisterExtension
    static final MountedExport fs = MountedExport.usual();

    @Test
    void aRootOnlyFileIsUnreadableForAUser() throws Exception {
        Sides d = fs.fresh();
        Files.writeString(d.host("secret"), "root only");
        Metadata.fchmodat(Flags.AT_FDCWD, d.host("secret").toString(), 0600, 0);
        assertThat(Sys.openErrno(d.mount("secret"), Flags.O_RDONLY, 0)).isZero();
        assertThat(AsUser.call(() -> Sys.openErrno(d.mount("secret"), Flags.O_RDONLY, 0)))
                .isEqualTo(Errno.EACCES);
        assertThat(AsUser.call(() -> Sys.openErrno(d.mount("secret"), Flags.O_WRONLY, 0)))
                .isEqualTo(Errno.EACCES);
    }

    @Test
    void filesAUserCreatesAreTheirs() throws Exception {
        Sides d = fs.fresh();
        Metadata.fchmodat(Flags.AT_FDCWD, d.host().toString(), 0777, 0);
        AsUser.call(() -> {
            Sys.close(Sys.open(d.mount("mine"), Flags.O_CREAT | Flags.O_WRONLY, 0644));
            PathCalls.mkdirat(Flags.AT_FDCWD, d.mount("my-dir").toString(), 0755);
            PathCalls.symlinkat("mine", Flags.AT_FDCWD, d.mount("my-link").toString());
            PathCalls.mknodat(Flags.AT_FDCWD, d.mount("my-fifo").toString(), Flags.S_IFIFO | 0600, 0);
            return null;
        });
        for (String name : List.of("mine", "my-dir", "my-link", "my-fifo")) {
            Stat host = MetadataIT.lstat(d.host(name));
            assertThat(host.uid()).as(name).isEqualTo(AsUser.USER);
            assertThat(host.gid()).as(name).isEqualTo(AsUser.GROUP);
        }
        // The user may then do what an owner may: chmod, and utimes with explicit times.
        AsUser.call(() -> {
            Metadata.fchmodat(Flags.AT_FDCWD, d.mount("mine").toString(), 0600, 0);
            Metadata.utimensat(Flags.AT_FDCWD, d.mount("mine").toString(), 1, 2, 3, 4, 0);
            return null;
        });
        assertThat(MetadataIT.stat(d.host("mine")).permissions()).isEqualTo(0600);
        assertThat(MetadataIT.stat(d.host("mine")).mtimeSec()).isEqualTo(3);
    }

    @Test
    void aGroupReadableFileNeedsTheGroup() throws Exception {
        Sides d = fs.fresh();
        Files.writeString(d.host("group-file"), "for the group");
        Metadata.fchownat(Flags.AT_FDCWD, d.host("group-file").toString(), 0, OTHER_GROUP, 0);
        Metadata.fchmodat(Flags.AT_FDCWD, d.host("group-file").toString(), 0640, 0);
        assertThat(AsUser.call(
                        AsUser.USER,
                        AsUser.GROUP,
                        new int[] {OTHER_GROUP},
                        () -> Files.readString(d.mount("group-file"))))
                .isEqualTo("for the group");
        assertThat(AsUser.call(
                        AsUser.USER,
                        AsUser.GROUP,
                        new int[0],
                        () -> Sys.openErrno(d.mount("group-file"), Flags.O_RDONLY, 0)))
                .isEqualTo(Errno.EACCES);
        // The primary group is enough too.
        assertThat(AsUser.call(
                        AsUser.USER,
                        OTHER_GROUP,
                        new int[0],
                        () -> Sys.openErrno(d.mount("group-file"), Flags.O_RDONLY, 0)))
                .isZero();
    }

    @Test
    void droppingAGroupTakesEffectAtOnce() throws Exception {
        Sides d = fs.fresh();
        Files.writeString(d.host("group-file"), "for the group");
        Metadata.fchownat(Flags.AT_FDCWD, d.host("group-file").toString(), 0, OTHER_GROUP, 0);
        Metadata.fchmodat(Flags.AT_FDCWD, d.host("group-file").toString(), 0640, 0);
        // One thread, as a daemon that starts privileged and then drops to a user: the second call
        // must not borrow the groups the first one had.
        int[] results = AsUser.OnThread.call(() -> {
            int before = ThreadCredentials.callAs(
                    0, 0, new int[] {OTHER_GROUP}, () -> Sys.openErrno(d.mount("group-file"), Flags.O_RDONLY, 0));
            int after = ThreadCredentials.callAs(
                    AsUser.USER,
                    AsUser.GROUP,
                    new int[0],
                    () -> Sys.openErrno(d.mount("group-file"), Flags.O_RDONLY, 0));
            return new int[] {before, after};
        });
        assertThat(results).containsExactly(0, Errno.EACCES);
    }

    @Test
    void chmodByANonOwnerIsEperm() throws Exception {
        Sides d = fs.fresh();
        Files.writeString(d.host("roots"), "x");
        Metadata.fchmodat(Flags.AT_FDCWD, d.host("roots").toString(), 0666, 0);
        assertThat(AsUser.call(() -> Sys.errno(
                        () -> Metadata.fchmodat(Flags.AT_FDCWD, d.mount("roots").toString(), 0777, 0))))
                .isEqualTo(Errno.EPERM);
        assertThat(AsUser.call(() -> Sys.errno(() ->
                        Metadata.fchownat(Flags.AT_FDCWD, d.mount("roots").toString(), AsUser.USER, AsUser.GROUP, 0))))
                .isEqualTo(Errno.EPERM);
        assertThat(MetadataIT.stat(d.host("roots")).permissions()).isEqualTo(0666);
        // World-writable: writing is fine, truncating too.
        assertThat(AsUser.call(() -> Sys.errno(() -> Sys.truncate(d.mount("roots"), 0))))
                .isZero();
    }

    @Test
    void anOpenFileKeepsTheAccessItWasOpenedWith() throws Exception {
        Sides d = fs.fresh();
        Metadata.fchmodat(Flags.AT_FDCWD, d.host().toString(), 0777, 0);
        for (Path dir : new Path[] {d.mount(), d.local()}) {
            Metadata.fchmodat(Flags.AT_FDCWD, dir.toString(), 0777, 0);
            int[] errnos = AsUser.call(() -> {
                int fd = Sys.open(dir.resolve("mine"), Flags.O_CREAT | Flags.O_RDWR, 0600);
                try {
                    Metadata.fchmodat(Flags.AT_FDCWD, dir.resolve("mine").toString(), 0, 0);
                    return new int[] {
                        Sys.openErrno(dir.resolve("mine"), Flags.O_RDONLY, 0),
                        Sys.errno(() -> Sys.pwrite(fd, Sys.utf8("still writable"), 0)),
                        Sys.errno(() -> io.dpuoffload.linux.FileCalls.ftruncate(fd, 5)),
                        Sys.errno(() -> Sys.pread(fd, 5, 0))
                    };
                } finally {
                    Sys.close(fd);
                }
            });
            assertThat(errnos).as(dir.toString()).containsExactly(Errno.EACCES, 0, 0, 0);
        }
        assertThat(Files.readString(d.host("mine"))).isEqualTo("still");
    }

    @Test
    void aSeparateProcessRunsAsItsUser() throws Exception {
        Sides d = fs.fresh();
        Metadata.fchmodat(Flags.AT_FDCWD, d.host().toString(), 0777, 0);
        Files.writeString(d.host("secret"), "root only");
        Metadata.fchmodat(Flags.AT_FDCWD, d.host("secret").toString(), 0600, 0);
        Process p = new ProcessBuilder(
                        "setpriv",
                        "--reuid=1000",
                        "--regid=1000",
                        "--clear-groups",
                        "sh",
                        "-c",
                        "echo made-by-a-process > " + d.mount("by-process") + "; cat " + d.mount("secret")
                                + " 2>&1; exit 0")
                .redirectErrorStream(true)
                .start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(output).contains("Permission denied").doesNotContain("root only");
        assertThat(Files.readString(d.host("by-process"))).isEqualTo("made-by-a-process\n");
        assertThat(MetadataIT.stat(d.host("by-process")).uid()).isEqualTo(1000);
        assertThat(MetadataIT.stat(d.host("by-process")).gid()).isEqualTo(1000);
    }
}
