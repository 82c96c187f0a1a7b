package io.dpuoffload.fs.posix;

import static io.dpuoffload.linux.Flags.AT_FDCWD;
import static io.dpuoffload.linux.Flags.O_CREAT;
import static io.dpuoffload.linux.Flags.O_DIRECTORY;
import static io.dpuoffload.linux.Flags.O_EXCL;
import static io.dpuoffload.linux.Flags.O_RDONLY;
import static io.dpuoffload.linux.Flags.O_RDWR;
import static io.dpuoffload.linux.Flags.O_WRONLY;
import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.allowlist.Allowlist;
import io.dpuoffload.fs.config.CachePolicy;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.PathCalls;
import io.dpuoffload.linux.Xattrs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Each failure reaches the caller with the errno the host's kernel gave, as the same call on a host directory. */
class ErrnoIT {
    @RegisterExtension
    static final MountedExport fs = MountedExport.usual();

    /** One call, made with a directory as its base. */
    interface Probe {
        void run(Path dir) throws IOException;
    }

    @Test
    void errnosMatchTheSameCallsOnTheHost() throws Exception {
        Sides d = fs.fresh();
        for (Path dir : new Path[] {d.host(), d.local()}) {
            Files.writeString(dir.resolve("file"), "x");
            Files.createDirectory(dir.resolve("dir"));
            Files.writeString(dir.resolve("dir/inner"), "x");
            Files.createDirectory(dir.resolve("empty"));
            Files.createSymbolicLink(dir.resolve("loop"), Path.of("loop"));
        }
        String tooLong = "n".repeat(256);
        Map<String, Probe> probes = new LinkedHashMap<>();
        probes.put("ENOENT open", dir -> open(dir.resolve("missing"), O_RDONLY));
        probes.put("ENOENT in a missing dir", dir -> open(dir.resolve("missing/x"), O_CREAT | O_WRONLY));
        probes.put("EEXIST O_EXCL", dir -> open(dir.resolve("file"), O_CREAT | O_EXCL | O_WRONLY));
        probes.put(
                "EEXIST mkdir",
                dir -> PathCalls.mkdirat(AT_FDCWD, dir.resolve("dir").toString(), 0755));
        probes.put(
                "EEXIST symlink",
                dir -> PathCalls.symlinkat("t", AT_FDCWD, dir.resolve("file").toString()));
        probes.put("ENOTDIR lookup", dir -> open(dir.resolve("file/x"), O_RDONLY));
        probes.put("ENOTDIR O_DIRECTORY", dir -> open(dir.resolve("file"), O_RDONLY | O_DIRECTORY));
        probes.put("ENOTDIR rename dir over file", dir -> NamesIT.rename(dir.resolve("empty"), dir.resolve("file"), 0));
        probes.put("EISDIR open for write", dir -> open(dir.resolve("dir"), O_WRONLY));
        probes.put("EISDIR rename file over dir", dir -> NamesIT.rename(dir.resolve("file"), dir.resolve("empty"), 0));
        probes.put(
                "ENOTEMPTY rmdir",
                dir -> PathCalls.unlinkat(AT_FDCWD, dir.resolve("dir").toString(), Flags.AT_REMOVEDIR));
        probes.put("ENOTEMPTY rename over", dir -> NamesIT.rename(dir.resolve("empty"), dir.resolve("dir"), 0));
        probes.put("EINVAL rename into itself", dir -> NamesIT.rename(dir.resolve("dir"), dir.resolve("dir/sub"), 0));
        probes.put("ENAMETOOLONG open", dir -> open(dir.resolve(tooLong), O_RDONLY));
        probes.put("ENAMETOOLONG create", dir -> open(dir.resolve(tooLong), O_CREAT | O_WRONLY));
        probes.put(
                "ENAMETOOLONG mkdir",
                dir -> PathCalls.mkdirat(AT_FDCWD, dir.resolve(tooLong).toString(), 0755));
        probes.put("ELOOP", dir -> open(dir.resolve("loop"), O_RDONLY));
        probes.put("ENODATA xattr", dir -> Xattrs.getxattr(dir.resolve("file").toString(), "user.none"));
        probes.put(
                "EPERM link of a dir",
                dir -> PathCalls.linkat(
                        AT_FDCWD,
                        dir.resolve("dir").toString(),
                        AT_FDCWD,
                        dir.resolve("dir2").toString(),
                        0));
        probes.put(
                "EXDEV-free rename is fine", dir -> NamesIT.rename(dir.resolve("dir/inner"), dir.resolve("moved"), 0));
        for (var probe : probes.entrySet()) {
            int onMount = Sys.errno(() -> probe.getValue().run(d.mount()));
            int onHost = Sys.errno(() -> probe.getValue().run(d.local()));
            assertThat(Errno.name(onMount)).as(probe.getKey()).isEqualTo(Errno.name(onHost));
        }
    }

    @Test
    void permissionErrorsMatchTheHost() throws Exception {
        Sides d = fs.fresh();
        for (Path dir : new Path[] {d.host(), d.local()}) {
            Files.writeString(dir.resolve("secret"), "x");
            Metadata.fchmodat(AT_FDCWD, dir.resolve("secret").toString(), 0600, 0);
            Files.createDirectory(dir.resolve("locked"));
            Files.writeString(dir.resolve("locked/f"), "x");
            Metadata.fchmodat(AT_FDCWD, dir.resolve("locked").toString(), 0700, 0);
            Files.createDirectory(dir.resolve("ro-dir"));
            Metadata.fchmodat(AT_FDCWD, dir.resolve("ro-dir").toString(), 0555, 0);
        }
        for (Path dir : new Path[] {d.host(), d.local()}) {
            Files.createDirectory(dir.resolve("sticky"));
            Metadata.fchmodat(AT_FDCWD, dir.resolve("sticky").toString(), 01777, 0);
            Files.writeString(dir.resolve("sticky/roots"), "x");
            Metadata.fchmodat(AT_FDCWD, dir.resolve("sticky/roots").toString(), 0666, 0);
            Files.createDirectory(dir.resolve("open"));
            Metadata.fchmodat(AT_FDCWD, dir.resolve("open").toString(), 0777, 0);
        }
        Map<String, Probe> probes = new LinkedHashMap<>();
        probes.put(
                "EPERM unlink in a sticky dir",
                dir -> PathCalls.unlinkat(AT_FDCWD, dir.resolve("sticky/roots").toString(), 0));
        probes.put(
                "EPERM rename in a sticky dir",
                dir -> NamesIT.rename(dir.resolve("sticky/roots"), dir.resolve("sticky/mine"), 0));
        probes.put(
                "EPERM hard link to a file one may not write (protected_hardlinks)",
                dir -> PathCalls.linkat(
                        AT_FDCWD,
                        dir.resolve("secret").toString(),
                        AT_FDCWD,
                        dir.resolve("open/stolen").toString(),
                        0));
        probes.put("EACCES read", dir -> open(dir.resolve("secret"), O_RDONLY));
        probes.put("EACCES write", dir -> open(dir.resolve("secret"), O_WRONLY));
        probes.put("EACCES search", dir -> open(dir.resolve("locked/f"), O_RDONLY));
        probes.put("EACCES create in 0555", dir -> open(dir.resolve("ro-dir/new"), O_CREAT | O_WRONLY));
        probes.put("EACCES create in a dir we do not own", dir -> open(dir.resolve("new"), O_CREAT | O_WRONLY));
        probes.put(
                "EPERM chmod",
                dir -> Metadata.fchmodat(AT_FDCWD, dir.resolve("secret").toString(), 0777, 0));
        probes.put(
                "EPERM chown",
                dir -> Metadata.fchownat(AT_FDCWD, dir.resolve("secret").toString(), 1000, 1000, 0));
        probes.put(
                "EPERM utimes",
                dir -> Metadata.utimensat(AT_FDCWD, dir.resolve("secret").toString(), 1, 1, 1, 1, 0));
        probes.put(
                "EACCES utime now",
                dir -> Metadata.utimensat(
                        AT_FDCWD, dir.resolve("secret").toString(), 0, Flags.UTIME_NOW, 0, Flags.UTIME_NOW, 0));
        for (var probe : probes.entrySet()) {
            int onMount = AsUser.call(() -> Sys.errno(() -> probe.getValue().run(d.mount())));
            int onHost = AsUser.call(() -> Sys.errno(() -> probe.getValue().run(d.local())));
            assertThat(onHost).as(probe.getKey() + " locally").isNotZero();
            assertThat(Errno.name(onMount)).as(probe.getKey()).isEqualTo(Errno.name(onHost));
        }
    }

    @Test
    void aReadOnlyExportIsErofs(@TempDir Path other) throws Exception {
        Files.writeString(Files.createDirectories(other.resolve("exported")).resolve("f"), "read me");
        try (PosixMount ro = PosixMount.start(other, Allowlist.allowAll(), CachePolicy.NONE, true)) {
            Path m = ro.mountpoint();
            assertThat(Files.readString(m.resolve("f"))).isEqualTo("read me");
            assertThat(Sys.openErrno(m.resolve("f"), O_RDWR, 0)).isEqualTo(Errno.EROFS);
            assertThat(Sys.openErrno(m.resolve("new"), O_CREAT | O_WRONLY, 0644))
                    .isEqualTo(Errno.EROFS);
            assertThat(Sys.errno(
                            () -> PathCalls.mkdirat(AT_FDCWD, m.resolve("d").toString(), 0755)))
                    .isEqualTo(Errno.EROFS);
            assertThat(Sys.errno(
                            () -> PathCalls.unlinkat(AT_FDCWD, m.resolve("f").toString(), 0)))
                    .isEqualTo(Errno.EROFS);
            assertThat(Sys.errno(
                            () -> Metadata.fchmodat(AT_FDCWD, m.resolve("f").toString(), 0600, 0)))
                    .isEqualTo(Errno.EROFS);
            assertThat(Sys.errno(() -> Sys.truncate(m.resolve("f"), 0))).isEqualTo(Errno.EROFS);
            assertThat(Sys.errno(() -> Xattrs.setxattr(m.resolve("f").toString(), "user.k", new byte[] {1}, 0)))
                    .isEqualTo(Errno.EROFS);
            assertThat(Sys.errno(
                            () -> PathCalls.faccessat2(AT_FDCWD, m.resolve("f").toString(), Flags.W_OK, 0)))
                    .isEqualTo(Errno.EROFS);
            assertThat(Files.readString(other.resolve("exported/f"))).isEqualTo("read me");
        }
    }

    private static void open(Path path, int flags) throws IOException {
        Sys.close(Sys.open(path, flags, 0644));
    }
}
