package io.dpuoffload.fs.posix;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.Mounts;
import io.dpuoffload.linux.Xattrs;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * user.* extended attributes. When the file system under the temp directory has no user xattrs,
 * the export and the comparison directory move onto a tmpfs mounted (and unmounted) by the test.
 */
class XattrsIT {
    @TempDir
    static Path work;

    static PosixMount fs;
    static Path tmpfs;

    @BeforeAll
    static void mount() throws Exception {
        if (!userXattrsWork(work)) {
            System.out.println("XattrsIT: " + work + " has no user xattrs; using a tmpfs for the export");
            tmpfs = Files.createDirectories(work.resolve("tmpfs"));
            Mounts.mount("tmpfs", tmpfs.toString(), "tmpfs", Mounts.MS_NOSUID | Mounts.MS_NODEV, "size=16m,mode=0755");
            fs = PosixMount.start(tmpfs);
        } else {
            fs = PosixMount.start(work);
        }
    }

    @AfterAll
    static void unmount() throws Exception {
        try {
            fs.close();
        } finally {
            if (tmpfs != null) {
                Mounts.umount2(tmpfs.toString(), Mounts.MNT_DETACH);
            }
        }
    }

    @Test
    void setGetListRemove() throws Exception {
        Sides d = fs.fresh();
        Files.writeString(d.host("f"), "x");
        byte[] f = path(d.mount("f"));
        Xattrs.setxattr(f, name("user.color"), Sys.utf8("blue"), 0);
        Xattrs.setxattr(f, name("user.empty"), new byte[0], 0);
        byte[] binary = {0, 1, 2, (byte) 0xff, 0};
        Xattrs.setxattr(f, name("user.bin"), binary, 0);
        assertThat(Xattrs.getxattr(d.host("f").toString(), "user.color")).isEqualTo(Sys.utf8("blue"));
        assertThat(Xattrs.getxattr(f, name("user.color"))).isEqualTo(Sys.utf8("blue"));
        assertThat(Xattrs.getxattr(f, name("user.empty"))).isEmpty();
        assertThat(Xattrs.getxattr(f, name("user.bin"))).isEqualTo(binary);
        assertThat(names(Xattrs.listxattr(f))).contains("user.color", "user.empty", "user.bin");
        Xattrs.removexattr(f, name("user.color"));
        assertThat(names(Xattrs.listxattr(f))).doesNotContain("user.color");
        assertThat(names(Xattrs.listxattr(d.host("f").toString()))).doesNotContain("user.color");
        assertThat(Sys.errno(() -> Xattrs.getxattr(f, name("user.color")))).isEqualTo(Errno.ENODATA);
        assertThat(Sys.errno(() -> Xattrs.removexattr(f, name("user.color")))).isEqualTo(Errno.ENODATA);
    }

    @Test
    void createAndReplaceFlags() throws Exception {
        Sides d = fs.fresh();
        for (Path dir : new Path[] {d.mount(), d.local()}) {
            Files.writeString(dir.resolve("f"), "x");
            byte[] f = path(dir.resolve("f"));
            assertThat(Sys.errno(() -> Xattrs.setxattr(f, name("user.k"), Sys.utf8("v"), Xattrs.XATTR_REPLACE)))
                    .as(dir.toString())
                    .isEqualTo(Errno.ENODATA);
            Xattrs.setxattr(f, name("user.k"), Sys.utf8("v1"), Xattrs.XATTR_CREATE);
            assertThat(Sys.errno(() -> Xattrs.setxattr(f, name("user.k"), Sys.utf8("v2"), Xattrs.XATTR_CREATE)))
                    .as(dir.toString())
                    .isEqualTo(Errno.EEXIST);
            Xattrs.setxattr(f, name("user.k"), Sys.utf8("v3"), Xattrs.XATTR_REPLACE);
            assertThat(Xattrs.getxattr(f, name("user.k"))).isEqualTo(Sys.utf8("v3"));
        }
    }

    @Test
    void aTooSmallBufferIsErange() throws Exception {
        Sides d = fs.fresh();
        for (Path dir : new Path[] {d.mount(), d.local()}) {
            Files.writeString(dir.resolve("f"), "x");
            byte[] f = path(dir.resolve("f"));
            Xattrs.setxattr(f, name("user.long"), Sys.utf8("0123456789"), 0);
            try (Arena arena = Arena.ofConfined()) {
                assertThat(Xattrs.getxattr(f, name("user.long"), java.lang.foreign.MemorySegment.NULL))
                        .isEqualTo(10);
                assertThat(Sys.errno(() -> Xattrs.getxattr(f, name("user.long"), arena.allocate(4))))
                        .isEqualTo(Errno.ERANGE);
                assertThat(Xattrs.getxattr(f, name("user.long"), arena.allocate(10)))
                        .isEqualTo(10);
                assertThat(Sys.errno(() -> Xattrs.listxattr(f, arena.allocate(3))))
                        .isEqualTo(Errno.ERANGE);
            }
        }
    }

    @Test
    void userXattrsOnASymlinkAreRefusedAsLocally() throws Exception {
        Sides d = fs.fresh();
        for (Path dir : new Path[] {d.mount(), d.local()}) {
            Files.writeString(dir.resolve("f"), "x");
            Files.createSymbolicLink(dir.resolve("l"), Path.of("f"));
            assertThat(Sys.errno(() -> Xattrs.lsetxattr(path(dir.resolve("l")), name("user.k"), Sys.utf8("v"), 0)))
                    .as(dir.toString())
                    .isEqualTo(Errno.EPERM);
        }
    }

    private static boolean userXattrsWork(Path dir) throws Exception {
        Path probe = Files.writeString(dir.resolve("xattr-probe"), "");
        try {
            Xattrs.setxattr(path(probe), name("user.probe"), new byte[] {1}, 0);
            return true;
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EOPNOTSUPP) {
                return false;
            }
            throw e;
        } finally {
            Files.delete(probe);
        }
    }

    /** trusted.* names are listed to root only, as the kernel lists them locally. */
    @Test
    void trustedNamesAreListedToRootOnly() throws Exception {
        Sides d = fs.fresh();
        Files.writeString(d.host("f"), "x");
        Xattrs.setxattr(path(d.host("f")), name("trusted.t"), Sys.utf8("1"), 0);
        Xattrs.setxattr(path(d.host("f")), name("user.u"), Sys.utf8("1"), 0);
        Files.setPosixFilePermissions(d.host(), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        byte[] f = path(d.mount("f"));
        assertThat(names(Xattrs.listxattr(f))).contains("trusted.t", "user.u");
        assertThat(names(AsUser.call(() -> Xattrs.listxattr(f))))
                .contains("user.u")
                .doesNotContain("trusted.t");
    }

    private static byte[] path(Path p) {
        return p.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] name(String n) {
        return n.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> names(List<byte[]> raw) {
        return raw.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }
}
