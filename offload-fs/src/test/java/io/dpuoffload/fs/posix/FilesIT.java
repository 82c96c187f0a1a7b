package io.dpuoffload.fs.posix;

import static io.dpuoffload.linux.Flags.O_APPEND;
import static io.dpuoffload.linux.Flags.O_CREAT;
import static io.dpuoffload.linux.Flags.O_EXCL;
import static io.dpuoffload.linux.Flags.O_RDONLY;
import static io.dpuoffload.linux.Flags.O_RDWR;
import static io.dpuoffload.linux.Flags.O_TRUNC;
import static io.dpuoffload.linux.Flags.O_WRONLY;
import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Regular files: create flags, positioned and large I/O, sparse files, truncate, sync, fallocate, lseek. */
class FilesIT {
    private static final int MIB = 1 << 20;

    @RegisterExtension
    static final MountedExport fs = MountedExport.usual();

    /**
     * copy_file_range(2) between two files of the mount is done by the host's kernel: the copy is
     * exact (offsets in both files respected, a short count at the end of the input), and its data
     * does not cross the channel (the DPU's kernel used to read every page from the host and write
     * it back: 8 MiB was some hundred requests).
     */
    @Test
    void copyFileRangeCopiesOnTheHost() throws Exception {
        Sides d = fs.fresh();
        byte[] data = new byte[8 * MIB];
        new Random(7).nextBytes(data);
        Files.write(d.host("source"), data);
        int in = Sys.open(d.mount("source"), O_RDONLY);
        int out = Sys.open(d.mount("copy"), O_CREAT | O_WRONLY, 0644);
        long requestsBefore = fs.forwarded();
        long copied;
        try {
            copied = copyAll(in, 0, out, 0, data.length);
            assertThat(FileCalls.copyFileRange(in, data.length, out, data.length, MIB))
                    .as("at the end of the input")
                    .isZero();
        } finally {
            Sys.close(in);
            Sys.close(out);
        }
        long requests = fs.forwarded() - requestsBefore;
        assertThat(copied).isEqualTo(data.length);
        assertThat(Files.readAllBytes(d.host("copy"))).isEqualTo(data);
        assertThat(requests).as("requests to the host for the copy").isLessThan(10);

        // A range from the middle of one file into the middle of another.
        Files.write(d.host("target"), new byte[3 * MIB]);
        in = Sys.open(d.mount("source"), O_RDONLY);
        out = Sys.open(d.mount("target"), O_WRONLY);
        try {
            assertThat(copyAll(in, MIB + 5, out, 7, MIB)).isEqualTo(MIB);
        } finally {
            Sys.close(in);
            Sys.close(out);
        }
        byte[] target = Files.readAllBytes(d.mount("target"));
        assertThat(target).hasSize(3 * MIB);
        assertThat(Arrays.copyOfRange(target, 7, 7 + MIB)).isEqualTo(Arrays.copyOfRange(data, MIB + 5, 2 * MIB + 5));
        assertThat(Arrays.copyOfRange(target, 0, 7)).containsOnly(0);
    }

    /** copy_file_range until {@code length} bytes are copied or the input ends; the bytes copied. */
    private static long copyAll(int in, long offsetIn, int out, long offsetOut, long length) throws Exception {
        long copied = 0;
        while (copied < length) {
            long n = FileCalls.copyFileRange(in, offsetIn + copied, out, offsetOut + copied, length - copied);
            if (n == 0) {
                break;
            }
            copied += n;
        }
        return copied;
    }

    /** O_TMPFILE: an unnamed file the caller owns, written, then given a name with linkat(2). */
    @Test
    void anUnnamedTmpfileGetsItsNameLater() throws Exception {
        Sides d = fs.fresh();
        Files.setPosixFilePermissions(d.host(), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        AsUser.call(() -> {
            int fd = Sys.open(d.mount(), Flags.O_TMPFILE | O_RDWR, 0640);
            try {
                Sys.write(fd, Sys.utf8("unnamed"));
                assertThat(d.host().toFile().list()).isEmpty();
                io.dpuoffload.linux.PathCalls.linkat(
                        Flags.AT_FDCWD,
                        "/proc/self/fd/" + fd,
                        Flags.AT_FDCWD,
                        d.mount("named").toString(),
                        Flags.AT_SYMLINK_FOLLOW);
            } finally {
                Sys.close(fd);
            }
            return null;
        });
        assertThat(Files.readString(d.host("named"))).isEqualTo("unnamed");
        var stat = MetadataIT.stat(d.host("named"));
        assertThat(stat.uid()).isEqualTo(AsUser.USER);
        assertThat(stat.permissions()).isEqualTo(0640);
    }

    @Test
    void exclusiveCreateFailsOnAnExistingName() throws Exception {
        Sides d = fs.fresh();
        for (Path dir : new Path[] {d.mount(), d.local()}) {
            assertThat(Sys.openErrno(dir.resolve("x"), O_CREAT | O_EXCL | O_WRONLY, 0640))
                    .isZero();
            assertThat(Sys.openErrno(dir.resolve("x"), O_CREAT | O_EXCL | O_WRONLY, 0640))
                    .isEqualTo(Errno.EEXIST);
        }
        assertThat(Metadata.statx(Flags.AT_FDCWD, d.host("x").toString(), 0).permissions())
                .isEqualTo(0640);
    }

    @Test
    void exclusiveCreateHasOneWinnerWhenTheHostRacesForTheName() throws Exception {
        Sides d = fs.fresh();
        int names = 500;
        boolean[] hostWon = new boolean[names];
        var together = new java.util.concurrent.CyclicBarrier(2);
        Thread host = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < names; i++) {
                try {
                    together.await();
                    Files.createFile(d.host("lock-" + i)); // O_CREAT | O_EXCL
                    hostWon[i] = true;
                } catch (java.nio.file.FileAlreadyExistsException lost) {
                    // the DPU was first
                } catch (java.io.IOException | InterruptedException | java.util.concurrent.BrokenBarrierException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        boolean[] dpuWon = new boolean[names];
        for (int i = 0; i < names; i++) {
            together.await(10, java.util.concurrent.TimeUnit.SECONDS);
            int errno = Sys.openErrno(d.mount("lock-" + i), O_CREAT | O_EXCL | O_WRONLY, 0644);
            assertThat(errno).isIn(0, Errno.EEXIST);
            dpuWon[i] = errno == 0;
        }
        host.join();
        for (int i = 0; i < names; i++) {
            assertThat(hostWon[i] ^ dpuWon[i])
                    .as("exactly one creator of lock-" + i)
                    .isTrue();
        }
    }

    @Test
    void openingAndClosingInALoopNeverRunsOutOfHandles() throws Exception {
        // close(2) returns before the kernel's RELEASE reaches the host, so the host may still hold
        // handles the process has closed: they must not count against it (here: a cap of 64).
        Sides d = fs.fresh();
        Files.writeString(d.host("f"), "x");
        for (int i = 0; i < 3_000; i++) {
            assertThat(Sys.openErrno(d.mount("f"), O_RDONLY, 0))
                    .as("open #" + i)
                    .isZero();
        }
    }

    @Test
    void truncatingOpenEmptiesTheHostFile() throws Exception {
        Sides d = fs.fresh();
        Files.writeString(d.host("f"), "0123456789");
        Sys.close(Sys.open(d.mount("f"), O_WRONLY | O_TRUNC));
        assertThat(Files.size(d.host("f"))).isZero();
    }

    @Test
    void appendingWritesLandAtTheHostsEndOfFile() throws Exception {
        Sides d = fs.fresh();
        Files.writeString(d.host("log"), "start;");
        int fd = Sys.open(d.mount("log"), O_WRONLY | O_APPEND);
        try {
            Sys.write(fd, Sys.utf8("dpu-1;"));
            Files.writeString(d.host("log"), "host;", StandardOpenOption.APPEND);
            Sys.write(fd, Sys.utf8("dpu-2;"));
        } finally {
            Sys.close(fd);
        }
        assertThat(Files.readString(d.host("log"))).isEqualTo("start;dpu-1;host;dpu-2;");
    }

    @Test
    void positionedWritesAndReads() throws Exception {
        Sides d = fs.fresh();
        int fd = Sys.open(d.mount("p"), O_CREAT | O_RDWR, 0644);
        try {
            Sys.pwrite(fd, Sys.utf8("tail"), 5000);
            Sys.pwrite(fd, Sys.utf8("head"), 0);
            Sys.pwrite(fd, Sys.utf8("middle"), 100);
            assertThat(new String(Sys.pread(fd, 6, 100))).isEqualTo("middle");
            assertThat(new String(Sys.pread(fd, 100, 5000))).isEqualTo("tail");
            assertThat(Sys.pread(fd, 10, 5004)).isEmpty();
        } finally {
            Sys.close(fd);
        }
        byte[] host = Files.readAllBytes(d.host("p"));
        assertThat(host).hasSize(5004);
        assertThat(new String(host, 0, 4)).isEqualTo("head");
        assertThat(new String(host, 100, 6)).isEqualTo("middle");
        assertThat(host[50]).isZero();
    }

    @Test
    void largeWritesAndReadsKeepEveryByte() throws Exception {
        Sides d = fs.fresh();
        byte[] big = random(4 * MIB, 1);
        int fd = Sys.open(d.mount("big"), O_CREAT | O_RDWR, 0644);
        try {
            Sys.pwrite(fd, big, 0); // one 4 MiB write(2): four 1 MiB FUSE writes
            assertThat(Sys.pread(fd, 4 * MIB, 0)).isEqualTo(big);
            byte[][] chunks = new byte[4][];
            for (int i = 0; i < 4; i++) {
                chunks[i] = random(MIB, 10 + i);
                Sys.pwrite(fd, chunks[i], (long) (4 + i) * MIB);
            }
            for (int i = 3; i >= 0; i--) {
                assertThat(Sys.pread(fd, MIB, (long) (4 + i) * MIB)).isEqualTo(chunks[i]);
            }
        } finally {
            Sys.close(fd);
        }
        byte[] host = Files.readAllBytes(d.host("big"));
        assertThat(host).hasSize(8 * MIB);
        assertThat(Arrays.copyOfRange(host, 0, 4 * MIB)).isEqualTo(big);
        assertThat(Arrays.copyOfRange(host, 6 * MIB, 7 * MIB)).isEqualTo(random(MIB, 12));
    }

    @Test
    void sparseFilesKeepTheirHoles() throws Exception {
        Sides d = fs.fresh();
        int fd = Sys.open(d.mount("sparse"), O_CREAT | O_RDWR, 0644);
        try {
            Sys.pwrite(fd, random(4096, 2), 64L * MIB);
            assertThat(Sys.pread(fd, 4096, 32L * MIB)).isEqualTo(new byte[4096]);
        } finally {
            Sys.close(fd);
        }
        var st = Metadata.statx(Flags.AT_FDCWD, d.host("sparse").toString(), 0);
        assertThat(st.size()).isEqualTo(64L * MIB + 4096);
        assertThat(st.blocks() * 512).isLessThan(MIB);
    }

    @Test
    void offsetsBeyondFourGigabytes() throws Exception {
        Sides d = fs.fresh();
        long far = 5L << 30;
        int fd = Sys.open(d.mount("huge"), O_CREAT | O_RDWR, 0644);
        try {
            Sys.pwrite(fd, Sys.utf8("far away"), far);
            assertThat(new String(Sys.pread(fd, 8, far))).isEqualTo("far away");
            assertThat(FileCalls.lseek(fd, 0, Flags.SEEK_DATA)).isEqualTo(far & ~4095L);
        } finally {
            Sys.close(fd);
        }
        assertThat(Files.size(d.host("huge"))).isEqualTo(far + 8);
        assertThat(Metadata.statx(Flags.AT_FDCWD, d.mount("huge").toString(), 0).size())
                .isEqualTo(far + 8);
    }

    @Test
    void directIoWithAlignedBuffers() throws Exception {
        Sides d = fs.fresh();
        byte[] data = random(MIB, 5);
        int fd = Sys.open(d.mount("direct"), O_CREAT | O_RDWR | Flags.O_DIRECT, 0644);
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            var buffer = arena.allocate(MIB, 4096);
            java.lang.foreign.MemorySegment.copy(data, 0, buffer, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, MIB);
            assertThat(FileCalls.pwrite(fd, buffer, MIB, 4096)).isEqualTo(MIB);
            var back = arena.allocate(MIB, 4096);
            assertThat(FileCalls.pread(fd, back, 4096)).isEqualTo(MIB);
            assertThat(back.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(data);
        } finally {
            Sys.close(fd);
        }
        assertThat(Arrays.copyOfRange(Files.readAllBytes(d.host("direct")), 4096, 4096 + MIB))
                .isEqualTo(data);
    }

    @Test
    void ftruncateGrowsAndShrinks() throws Exception {
        Sides d = fs.fresh();
        Files.writeString(d.host("t"), "abcdef");
        int fd = Sys.open(d.mount("t"), O_RDWR);
        try {
            FileCalls.ftruncate(fd, 10_000);
            assertThat(Files.size(d.host("t"))).isEqualTo(10_000);
            assertThat(Sys.pread(fd, 10, 9_990)).isEqualTo(new byte[10]);
            FileCalls.ftruncate(fd, 3);
            assertThat(Files.readString(d.host("t"))).isEqualTo("abc");
        } finally {
            Sys.close(fd);
        }
    }

    @Test
    void truncateByPathGrowsAndShrinks() throws Exception {
        Sides d = fs.fresh();
        Files.writeString(d.host("t"), "abcdef");
        Sys.truncate(d.mount("t"), 4096);
        assertThat(Files.size(d.host("t"))).isEqualTo(4096);
        Sys.truncate(d.mount("t"), 2);
        assertThat(Files.readString(d.host("t"))).isEqualTo("ab");
        assertThat(Sys.errno(() -> Sys.truncate(d.mount("missing"), 0))).isEqualTo(Errno.ENOENT);
        assertThat(Sys.errno(() -> Sys.truncate(d.mount(), 0))).isEqualTo(Errno.EISDIR);
    }

    @Test
    void fsyncAndFdatasyncReachTheHost() throws Exception {
        Sides d = fs.fresh();
        int fd = Sys.open(d.mount("s"), O_CREAT | O_RDWR, 0644);
        try {
            Sys.write(fd, Sys.utf8("durable"));
            FileCalls.fsync(fd);
            Sys.write(fd, Sys.utf8(" data"));
            FileCalls.fdatasync(fd);
        } finally {
            Sys.close(fd);
        }
        int dir = Sys.open(d.mount(), O_RDONLY | Flags.O_DIRECTORY);
        try {
            FileCalls.fsync(dir);
        } finally {
            Sys.close(dir);
        }
        assertThat(Files.readString(d.host("s"))).isEqualTo("durable data");
    }

    @Test
    void fallocateReservesSpaceWithAndWithoutKeepSize() throws Exception {
        Sides d = fs.fresh();
        int fd = Sys.open(d.mount("a"), O_CREAT | O_RDWR, 0644);
        try {
            FileCalls.fallocate(fd, 0, 0, MIB);
            var st = Metadata.statx(Flags.AT_FDCWD, d.host("a").toString(), 0);
            assertThat(st.size()).isEqualTo(MIB);
            assertThat(st.blocks() * 512).isGreaterThanOrEqualTo(MIB);
            FileCalls.fallocate(fd, Flags.FALLOC_FL_KEEP_SIZE, MIB, MIB);
            st = Metadata.statx(Flags.AT_FDCWD, d.host("a").toString(), 0);
            assertThat(st.size()).isEqualTo(MIB);
            assertThat(st.blocks() * 512).isGreaterThanOrEqualTo(2L * MIB);
            assertThat(Metadata.statx(Flags.AT_FDCWD, d.mount("a").toString(), 0)
                            .size())
                    .isEqualTo(MIB);
        } finally {
            Sys.close(fd);
        }
    }

    @Test
    void punchHoleZeroesTheRangeAndKeepsTheSize() throws Exception {
        Sides d = fs.fresh();
        byte[] data = new byte[3 * MIB];
        Arrays.fill(data, (byte) 0xAB);
        Files.write(d.host("h"), data);
        int fd = Sys.open(d.mount("h"), O_RDWR);
        try {
            FileCalls.fallocate(fd, Flags.FALLOC_FL_PUNCH_HOLE | Flags.FALLOC_FL_KEEP_SIZE, MIB, MIB);
            assertThat(Sys.pread(fd, MIB, MIB)).isEqualTo(new byte[MIB]);
            assertThat(Sys.pread(fd, 16, 2L * MIB)).containsOnly((byte) 0xAB);
            assertThat(FileCalls.lseek(fd, 0, Flags.SEEK_HOLE)).isEqualTo(MIB);
        } finally {
            Sys.close(fd);
        }
        assertThat(Files.size(d.host("h"))).isEqualTo(3L * MIB);
        assertThat(Sys.errno(() -> {
                    int ro = Sys.open(d.mount("h"), O_RDONLY);
                    try {
                        FileCalls.fallocate(ro, 0, 0, 4096);
                    } finally {
                        Sys.close(ro);
                    }
                }))
                .isEqualTo(Errno.EBADF);
    }

    @Test
    void seekDataAndSeekHoleAnswerAsOnTheHost() throws Exception {
        Sides d = fs.fresh();
        for (Path file : new Path[] {d.host("layout"), d.local("layout")}) {
            int fd = Sys.open(file, O_CREAT | O_RDWR, 0644);
            try {
                Sys.pwrite(fd, random(4096, 3), 0);
                Sys.pwrite(fd, random(4096, 4), 2L * MIB);
                FileCalls.ftruncate(fd, 4L * MIB);
            } finally {
                Sys.close(fd);
            }
        }
        long[] offsets = {0, 100, 4096, MIB, 2L * MIB, 2L * MIB + 5000, 3L * MIB, 4L * MIB - 1, 4L * MIB, 5L * MIB};
        int onMount = Sys.open(d.mount("layout"), O_RDONLY);
        int onHost = Sys.open(d.host("layout"), O_RDONLY);
        try {
            for (int whence : new int[] {Flags.SEEK_DATA, Flags.SEEK_HOLE}) {
                for (long offset : offsets) {
                    assertThat(seek(onMount, offset, whence))
                            .as("lseek(%d, %s)", offset, whence == Flags.SEEK_DATA ? "SEEK_DATA" : "SEEK_HOLE")
                            .isEqualTo(seek(onHost, offset, whence));
                }
            }
            assertThat(seek(onMount, 5L * MIB, Flags.SEEK_DATA)).isEqualTo(-Errno.ENXIO);
        } finally {
            Sys.close(onMount);
            Sys.close(onHost);
        }
    }

    @Test
    void newFilesTakeTheCallersUmaskOnly() throws Exception {
        Sides d = fs.fresh();
        // A thread of its own with umask 0, as a DPU process with umask 0 would create files.
        int[][] modes = AsUser.OnThread.call(() -> {
            Sys.unshare(Sys.CLONE_FS);
            Sys.umask(0);
            int[][] result = new int[2][];
            int i = 0;
            for (Path dir : new Path[] {d.mount(), d.local()}) {
                Sys.close(Sys.open(dir.resolve("file"), O_CREAT | O_WRONLY, 0666));
                io.dpuoffload.linux.PathCalls.mkdirat(
                        Flags.AT_FDCWD, dir.resolve("dir").toString(), 0777);
                io.dpuoffload.linux.PathCalls.mknodat(
                        Flags.AT_FDCWD, dir.resolve("fifo").toString(), Flags.S_IFIFO | 0666, 0);
                result[i++] = new int[] {
                    permissions(dir.resolve("file")), permissions(dir.resolve("dir")), permissions(dir.resolve("fifo"))
                };
            }
            return result;
        });
        assertThat(modes[1]).containsExactly(0666, 0777, 0666);
        assertThat(modes[0]).as("modes through the mount").containsExactly(modes[1]);
        assertThat(permissions(d.host("file"))).isEqualTo(0666);
    }

    private static int permissions(Path path) throws java.io.IOException {
        return Metadata.statx(Flags.AT_FDCWD, path.toString(), Flags.AT_SYMLINK_NOFOLLOW)
                .permissions();
    }

    private static long seek(int fd, long offset, int whence) throws java.io.IOException {
        try {
            return FileCalls.lseek(fd, offset, whence);
        } catch (io.dpuoffload.linux.ErrnoException e) {
            return -e.errno();
        }
    }

    static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }
}
