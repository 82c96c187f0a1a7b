package io.dpuoffload.fs.posix;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.allowlist.Allowlist;
import io.dpuoffload.fs.config.CachePolicy;
import io.dpuoffload.fs.e2e.LocalPair;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Mounts;
import io.dpuoffload.linux.PathCalls;
import io.dpuoffload.linux.ThreadCredentials;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing outside the export is reachable through the mount. The host keeps a canary file beside
 * the export ({@code host/canary.txt}, {@code host/secret/inside}); every attempt runs in the
 * {@link DpuView}, where the same paths hold the DPU's own files ("DPU-LOCAL"). An attempt may end
 * in an error or in a DPU file, never in the canary's content.
 *
 * <p>What this proves: the server never follows a symlink or a /proc magic link, and never leaves
 * the export with "..": a link's target comes back verbatim and the DPU's kernel resolves it in the
 * DPU's own namespace (which is why an absolute link to /etc/shadow reads the DPU's /etc/shadow,
 * with the DPU user's permissions).
 */
class EscapesIT {
    private static final String CANARY = "CANARY-host-only";
    private static final String DPU_LOCAL = "DPU-LOCAL";

    @TempDir
    static Path work;

    static Path host;
    static LocalPair pair;
    static DpuView dpu;

    @BeforeAll
    static void start() throws Exception {
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        host = Files.createDirectories(work.resolve("host"));
        Files.writeString(host.resolve("canary.txt"), CANARY);
        Files.writeString(Files.createDirectories(host.resolve("secret")).resolve("inside"), CANARY);
        pair = new LocalPair(
                host.resolve("exported"), work.resolve("dpu/mnt"), work, Allowlist.allowAll(), CachePolicy.NONE, false);
        dpu = new DpuView(List.of(host));
        dpu.call(() -> {
            Files.writeString(host.resolve("canary.txt"), DPU_LOCAL);
            Files.writeString(Files.createDirectories(host.resolve("secret")).resolve("inside"), DPU_LOCAL);
            return null;
        });
        assertThat(Files.readString(host.resolve("canary.txt"))).isEqualTo(CANARY);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            dpu.close(); // first: its namespace holds a copy of the mount
        } finally {
            pair.close();
        }
    }

    @Test
    void dotDotStopsAtTheMountRootOnTheDpuSide() throws Exception {
        Path mnt = pair.mountpoint;
        assertThat(dpu.call(() -> read(mnt.resolve("../../host/canary.txt")))).isEqualTo(DPU_LOCAL);
        assertThat(dpu.call(() -> read(mnt.resolve("../../../" + work.getFileName() + "/host/canary.txt"))))
                .isEqualTo(DPU_LOCAL);
        assertThat(dpu.call(() -> read(mnt.resolve("../canary.txt")))).isEqualTo("ENOENT");
        assertThat(dpu.call(() -> Files.isSameFile(mnt.resolve(".."), work.resolve("dpu"))))
                .isTrue();
    }

    @Test
    void anAbsoluteSymlinkResolvesOnTheDpu() throws Exception {
        Files.createSymbolicLink(pair.exported.resolve("shadow"), Path.of("/etc/shadow"));
        Files.createSymbolicLink(pair.exported.resolve("abs-canary"), host.resolve("canary.txt"));
        Path mnt = pair.mountpoint;
        assertThat(dpu.call(() -> readlink(mnt.resolve("shadow")))).isEqualTo("/etc/shadow");
        assertThat(dpu.call(() -> read(mnt.resolve("shadow")))).isEqualTo(dpu.call(() -> read(Path.of("/etc/shadow"))));
        assertThat(dpu.call(() -> ThreadCredentials.callAs(1000, 1000, new int[0], () -> read(mnt.resolve("shadow")))))
                .isEqualTo("EACCES");
        assertThat(dpu.call(() -> read(mnt.resolve("abs-canary")))).isEqualTo(DPU_LOCAL);
        assertThat(dpu.call(() -> Sys.openErrno(mnt.resolve("abs-canary"), Flags.O_RDONLY | Flags.O_NOFOLLOW, 0)))
                .isEqualTo(Errno.ELOOP);
    }

    @Test
    void aRelativeSymlinkOutOfTheExportResolvesOnTheDpu() throws Exception {
        Path deep = Files.createDirectories(pair.exported.resolve("a/b"));
        Files.createSymbolicLink(deep.resolve("up"), Path.of("../../../canary.txt"));
        Files.createSymbolicLink(deep.resolve("way-up"), Path.of("../../../../host/canary.txt"));
        Files.createSymbolicLink(deep.resolve("up-dir"), Path.of("../../.."));
        Path mnt = pair.mountpoint;
        assertThat(dpu.call(() -> readlink(mnt.resolve("a/b/up")))).isEqualTo("../../../canary.txt");
        assertThat(dpu.call(() -> read(mnt.resolve("a/b/up")))).isEqualTo("ENOENT");
        assertThat(dpu.call(() -> read(mnt.resolve("a/b/way-up")))).isEqualTo(DPU_LOCAL);
        assertThat(dpu.call(() -> read(mnt.resolve("a/b/up-dir/../host/canary.txt"))))
                .isEqualTo(DPU_LOCAL);
    }

    @Test
    void aSymlinkSwappedForADirectoryDuringLookups() throws Exception {
        Path exported = pair.exported;
        Path dir = Files.createDirectories(exported.resolve("flip-dir"));
        Files.writeString(dir.resolve("inside"), "INSIDE");
        Files.createSymbolicLink(exported.resolve("flip-link"), host.resolve("secret"));
        Path name = exported.resolve("flip");
        Files.move(dir, name);
        AtomicBoolean stop = new AtomicBoolean();
        Thread flipper = Thread.ofPlatform().start(() -> {
            // flip: a directory, then a symlink to the host's secret directory, then back, ...
            try {
                while (!stop.get()) {
                    swap(exported, "flip", "flip-link");
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Set<String> seen = new HashSet<>();
        try {
            Path target = pair.mountpoint.resolve("flip/inside");
            seen.addAll(dpu.call(() -> {
                List<String> results = new ArrayList<>();
                for (int i = 0; i < 2_000; i++) {
                    results.add(read(target));
                }
                return results;
            }));
        } finally {
            stop.set(true);
            flipper.join();
        }
        assertThat(seen).doesNotContain(CANARY).contains("INSIDE");
        assertThat(seen).isSubsetOf("INSIDE", DPU_LOCAL, "ENOENT", "ENOTDIR", "ESTALE", "ELOOP");
    }

    @Test
    void aFileOutsideTheExportCannotBeHardLinkedIn() throws Exception {
        Path mnt = pair.mountpoint;
        // The DPU has no name for the host's file; its own file is on another mount.
        assertThat(dpu.call(() -> Sys.errno(() -> PathCalls.linkat(
                        Flags.AT_FDCWD,
                        host.resolve("canary.txt").toString(),
                        Flags.AT_FDCWD,
                        mnt.resolve("linked").toString(),
                        0))))
                .isEqualTo(Errno.EXDEV);
        assertThat(Sys.errno(() -> PathCalls.linkat(
                        Flags.AT_FDCWD,
                        host.resolve("canary.txt").toString(),
                        Flags.AT_FDCWD,
                        mnt.resolve("linked").toString(),
                        0)))
                .isEqualTo(Errno.EXDEV);
        // A symlink to it can be made, and hard-linked: what is linked is the symlink itself.
        Files.createSymbolicLink(pair.exported.resolve("to-canary"), host.resolve("canary.txt"));
        assertThat(Sys.errno(() -> PathCalls.linkat(
                        Flags.AT_FDCWD,
                        mnt.resolve("to-canary").toString(),
                        Flags.AT_FDCWD,
                        mnt.resolve("hard-to-canary").toString(),
                        0)))
                .isZero();
        assertThat(Files.isSymbolicLink(pair.exported.resolve("hard-to-canary")))
                .isTrue();
        assertThat(dpu.call(() -> read(mnt.resolve("hard-to-canary")))).isEqualTo(DPU_LOCAL);
        assertThat(pair.exported.resolve("linked")).doesNotExist();
    }

    @Test
    void procMagicLinksInsideTheExportAreNeverFollowedOnTheHost() throws Exception {
        Path proc = Files.createDirectories(pair.exported.resolve("proc"));
        Mounts.mount("proc", proc.toString(), "proc", Mounts.MS_NOSUID | Mounts.MS_NODEV | Mounts.MS_NOEXEC, null);
        try (FileChannel held = FileChannel.open(host.resolve("canary.txt"))) {
            long pid = ProcessHandle.current().pid();
            int fd = openFdOf(pid, host.resolve("canary.txt"));
            Path mnt = pair.mountpoint.resolve("proc");
            List<Path> attempts = List.of(
                    mnt.resolve(pid + "/fd/" + fd),
                    mnt.resolve("self/fd/" + fd),
                    mnt.resolve("thread-self/fd/" + fd),
                    mnt.resolve(pid + "/root" + host.resolve("canary.txt")),
                    mnt.resolve("self/root" + host.resolve("secret/inside")),
                    mnt.resolve(pid + "/cwd/" + work.relativize(host.resolve("canary.txt"))),
                    mnt.resolve(pid + "/map_files"));
            for (Path attempt : attempts) {
                String result = dpu.call(() -> read(attempt));
                assertThat(result).as(attempt.toString()).isNotEqualTo(CANARY).doesNotContain(CANARY);
            }
            assertThat(dpu.call(() -> read(mnt.resolve(pid + "/fd/" + fd)))).isEqualTo(DPU_LOCAL);
            // The link itself is what the host shows: its text, not its target.
            assertThat(dpu.call(() -> readlink(mnt.resolve(pid + "/fd/" + fd))))
                    .isEqualTo(host.resolve("canary.txt").toString());
            assertThat(dpu.call(
                            () -> Sys.openErrno(mnt.resolve(pid + "/fd/" + fd), Flags.O_RDONLY | Flags.O_NOFOLLOW, 0)))
                    .isEqualTo(Errno.ELOOP);
            assertThat(held.isOpen()).isTrue();
        } finally {
            Mounts.umount2(proc.toString(), Mounts.MNT_DETACH);
        }
    }

    /** The file's content, or the name of the errno reading it failed with. */
    private static String read(Path path) {
        try {
            int fd = Sys.open(path, Flags.O_RDONLY);
            try {
                return new String(Sys.pread(fd, 4096, 0), StandardCharsets.UTF_8);
            } finally {
                Sys.close(fd);
            }
        } catch (io.dpuoffload.linux.ErrnoException e) {
            return Errno.name(e.errno());
        }
    }

    private static String readlink(Path path) throws IOException {
        return new String(PathCalls.readlinkat(Flags.AT_FDCWD, path.toString()), StandardCharsets.UTF_8);
    }

    private static void swap(Path dir, String a, String b) throws IOException {
        PathCalls.renameat2(
                Flags.AT_FDCWD,
                dir.resolve(a).toString(),
                Flags.AT_FDCWD,
                dir.resolve(b).toString(),
                Flags.RENAME_EXCHANGE);
    }

    private static int openFdOf(long pid, Path file) throws IOException {
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).equals(file)) {
                        return Integer.parseInt(fd.getFileName().toString());
                    }
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        }
        throw new IllegalStateException("no descriptor of " + file + " in process " + pid);
    }
}
