package io.dpuoffload.linux;

import static io.dpuoffload.linux.Mounts.MNT_DETACH;
import static io.dpuoffload.linux.Mounts.MS_NODEV;
import static io.dpuoffload.linux.Mounts.MS_NOSUID;
import static io.dpuoffload.linux.OpenAt2IT.assertErrno;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mount and umount2 of tmpfs and bind mounts, each undone (lazily, if need be) before the test ends. */
class MountsIT {
    private static final long TMPFS_MAGIC = 0x01021994L;

    @TempDir
    Path tmp;

    private final Fds fds = new Fds();
    private final Deque<String> mounted = new ArrayDeque<>();

    @BeforeAll
    static void root() throws IOException {
        Fds.requireRoot();
    }

    @AfterEach
    void unmountEverything() throws IOException {
        fds.close();
        while (!mounted.isEmpty()) {
            try {
                Mounts.umount2(mounted.pop(), MNT_DETACH);
            } catch (ErrnoException e) {
                if (!e.is(Errno.EINVAL)) { // EINVAL: the test unmounted it already
                    throw e;
                }
            }
        }
        assertThat(MountInfo.anyUnder(tmp))
                .as("a mount left behind under " + tmp)
                .isFalse();
    }

    @Test
    void tmpfsMountsAndUnmounts() throws IOException {
        String m = mountTmpfs("m", "size=1m,mode=0710");
        assertThat(Metadata.statfs(m).type()).isEqualTo(TMPFS_MAGIC);
        assertThat(Metadata.statx(Flags.AT_FDCWD, m, 0).permissions()).isEqualTo(0710);
        Files.writeString(Path.of(m, "on-tmpfs"), "x");
        assertThat(MountInfo.anyUnder(tmp)).isTrue();

        Mounts.umount2(m, 0);
        assertThat(Path.of(m, "on-tmpfs")).doesNotExist();
        assertThat(MountInfo.anyUnder(tmp)).isFalse();
    }

    @Test
    void remountReadOnly() throws IOException {
        String m = mountTmpfs("ro", "size=1m");
        Mounts.mount(null, m, null, Mounts.MS_REMOUNT | Mounts.MS_RDONLY | MS_NOSUID | MS_NODEV, null);
        assertErrno(
                () -> FileCalls.openat(Flags.AT_FDCWD, m + "/new", Flags.O_WRONLY | Flags.O_CREAT, 0644), Errno.EROFS);
        assertThat(Metadata.statfs(m).flags() & StatFs.ST_RDONLY).isEqualTo(StatFs.ST_RDONLY);
    }

    @Test
    void bindMountShowsTheSameFiles() throws IOException {
        Path source = Files.createDirectory(tmp.resolve("source"));
        Files.writeString(source.resolve("f"), "bound");
        String target = Files.createDirectory(tmp.resolve("target")).toString();
        Mounts.mount(source.toString(), target, null, Mounts.MS_BIND, null);
        mounted.push(target);
        assertThat(Files.readString(Path.of(target, "f"))).isEqualTo("bound");
        assertThat(Metadata.statx(Flags.AT_FDCWD, target + "/f", 0).ino())
                .isEqualTo(Metadata.statx(Flags.AT_FDCWD, source + "/f", 0).ino());
    }

    @Test
    void aBusyMountDetachesLazily() throws IOException {
        String m = mountTmpfs("busy", "size=1m");
        Files.writeString(Path.of(m, "open"), "still readable");
        int fd = fds.open(Flags.AT_FDCWD, m + "/open", Flags.O_RDONLY);
        assertErrno(() -> Mounts.umount2(m, 0), Errno.EBUSY);
        Mounts.umount2(m, MNT_DETACH);
        assertThat(MountInfo.anyUnder(tmp)).isFalse(); // gone from the tree at once
        assertThat(OpenAt2IT.readAll(fd)).isEqualTo("still readable"); // and alive for whoever holds it
    }

    @Test
    void errorsNameTheTarget() throws IOException {
        String plain = Files.createDirectory(tmp.resolve("plain")).toString();
        assertErrno(() -> Mounts.umount2(plain, 0), Errno.EINVAL);
        assertErrno(() -> Mounts.mount("x", plain, "no-such-fs", 0, null), Errno.ENODEV);
        assertErrno(() -> Mounts.mount("x", tmp + "/missing", "tmpfs", 0, null), Errno.ENOENT);
    }

    private String mountTmpfs(String name, String options) throws IOException {
        String m = Files.createDirectory(tmp.resolve(name)).toString();
        Mounts.mount("offload-test", m, "tmpfs", MS_NOSUID | MS_NODEV, options);
        mounted.push(m);
        return m;
    }
}
