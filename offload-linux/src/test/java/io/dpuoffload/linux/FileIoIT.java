package io.dpuoffload.linux;

import static io.dpuoffload.linux.Flags.O_APPEND;
import static io.dpuoffload.linux.Flags.O_CLOEXEC;
import static io.dpuoffload.linux.Flags.O_CREAT;
import static io.dpuoffload.linux.Flags.O_NONBLOCK;
import static io.dpuoffload.linux.Flags.O_RDONLY;
import static io.dpuoffload.linux.Flags.O_RDWR;
import static io.dpuoffload.linux.Flags.O_WRONLY;
import static io.dpuoffload.linux.OpenAt2IT.assertErrno;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Moving bytes, seeking in sparse files, allocation, pipes, poll and eventfd. */
class FileIoIT {
    private static final int KIB = 1024;

    @TempDir
    Path tmp;

    private final Fds fds = new Fds();
    private final Arena arena = Arena.ofConfined();
    private int dir;

    @BeforeEach
    void open() throws IOException {
        dir = fds.dir(tmp);
    }

    @AfterEach
    void close() {
        fds.close();
        arena.close();
    }

    @Test
    void positionedAndSequentialReadsAndWrites() throws IOException {
        int fd = fds.open(dir, "f", O_RDWR | O_CREAT);
        assertThat(FileCalls.pwrite(fd, Fds.segment(arena, "hello world"), 11, 100))
                .isEqualTo(11);
        MemorySegment buf = arena.allocate(64);
        assertThat(FileCalls.pread(fd, buf.asSlice(0, 5), 106)).isEqualTo(5);
        assertThat(Fds.string(buf, 5)).isEqualTo("world");
        assertThat(FileCalls.pread(fd, buf, 111)).isZero(); // at end of file

        assertThat(FileCalls.lseek(fd, 0, Flags.SEEK_CUR)).isZero(); // pwrite does not move the position
        assertThat(FileCalls.write(fd, Fds.segment(arena, "abc"))).isEqualTo(3);
        assertThat(FileCalls.lseek(fd, 0, Flags.SEEK_CUR)).isEqualTo(3);
        assertThat(FileCalls.lseek(fd, -5, Flags.SEEK_END)).isEqualTo(106);
        assertThat(FileCalls.read(fd, buf.asSlice(0, 64))).isEqualTo(5);
        assertThat(Files.size(tmp.resolve("f"))).isEqualTo(111);
    }

    @Test
    void appendWritesAtTheEndWhateverThePosition() throws IOException {
        Files.writeString(tmp.resolve("log"), "one\n");
        int fd = fds.open(dir, "log", O_WRONLY | O_APPEND);
        FileCalls.write(fd, Fds.segment(arena, "two\n"));
        assertThat(Files.readString(tmp.resolve("log"))).isEqualTo("one\ntwo\n");
        assertThat(FileCalls.fcntl(fd, Flags.F_GETFL, 0) & O_APPEND).isEqualTo(O_APPEND);
    }

    @Test
    void seekDataAndHoleFindTheDataInASparseFile() throws IOException {
        int fd = fds.open(dir, "sparse", O_RDWR | O_CREAT);
        FileCalls.ftruncate(fd, 1024 * KIB);
        MemorySegment data = arena.allocate(4 * KIB).fill((byte) 'd');
        FileCalls.pwrite(fd, data, data.byteSize(), 512 * KIB);
        FileCalls.fsync(fd);

        assertThat(FileCalls.lseek(fd, 0, Flags.SEEK_DATA)).isEqualTo(512 * KIB);
        assertThat(FileCalls.lseek(fd, 0, Flags.SEEK_HOLE)).isZero();
        assertThat(FileCalls.lseek(fd, 512 * KIB, Flags.SEEK_HOLE)).isEqualTo(516 * KIB);
        assertErrno(() -> FileCalls.lseek(fd, 600 * KIB, Flags.SEEK_DATA), Errno.ENXIO); // no data after it
        assertThat(FileCalls.lseek(fd, 600 * KIB, Flags.SEEK_HOLE)).isEqualTo(600 * KIB);
        assertErrno(() -> FileCalls.lseek(fd, 2048 * KIB, Flags.SEEK_HOLE), Errno.ENXIO); // past the end
        assertThat(Metadata.fstat(fd).blocks()).isEqualTo(8); // one 4 KiB block, in 512-byte units
    }

    @Test
    void fallocateKeepSizeAndPunchHole() throws IOException {
        int fd = fds.open(dir, "alloc", O_RDWR | O_CREAT);
        FileCalls.fallocate(fd, 0, 0, 64 * KIB);
        assertThat(Metadata.fstat(fd).size()).isEqualTo(64 * KIB);

        FileCalls.fallocate(fd, Flags.FALLOC_FL_KEEP_SIZE, 64 * KIB, 64 * KIB);
        Stat kept = Metadata.fstat(fd);
        assertThat(kept.size()).isEqualTo(64 * KIB);
        assertThat(kept.blocks() * 512).isGreaterThanOrEqualTo(128 * KIB);

        MemorySegment ones = arena.allocate(64 * KIB).fill((byte) 1);
        FileCalls.pwrite(fd, ones, ones.byteSize(), 0);
        FileCalls.fallocate(fd, Flags.FALLOC_FL_PUNCH_HOLE | Flags.FALLOC_FL_KEEP_SIZE, 16 * KIB, 16 * KIB);
        MemorySegment back = arena.allocate(64 * KIB);
        FileCalls.pread(fd, back, 0);
        assertThat(back.get(JAVA_BYTE, 16 * KIB - 1)).isEqualTo((byte) 1);
        assertThat(back.asSlice(16 * KIB, 16 * KIB).toArray(JAVA_BYTE)).containsOnly((byte) 0);
        assertThat(back.get(JAVA_BYTE, 32 * KIB)).isEqualTo((byte) 1);
        assertThat(FileCalls.lseek(fd, 16 * KIB, Flags.SEEK_HOLE)).isEqualTo(16 * KIB);

        assertErrno(() -> FileCalls.fallocate(fd, Flags.FALLOC_FL_PUNCH_HOLE, 0, 4096), Errno.EOPNOTSUPP);
    }

    @Test
    void truncateAndSync() throws IOException {
        Files.writeString(tmp.resolve("t"), "0123456789");
        int fd = fds.open(dir, "t", O_RDWR);
        FileCalls.ftruncate(fd, 4);
        FileCalls.fsync(fd);
        FileCalls.fdatasync(fd);
        assertThat(Files.readString(tmp.resolve("t"))).isEqualTo("0123");
        int ro = fds.open(dir, "t", O_RDONLY);
        assertErrno(() -> FileCalls.ftruncate(ro, 0), Errno.EINVAL);
    }

    @Test
    void errorsOfTransfers() throws IOException {
        int ro = fds.open(dir, "ro", O_RDONLY | O_CREAT);
        assertErrno(() -> FileCalls.write(ro, Fds.segment(arena, "x")), Errno.EBADF);
        int[] pipe = FileCalls.pipe2(O_CLOEXEC);
        fds.add(pipe[0]);
        fds.add(pipe[1]);
        assertErrno(() -> FileCalls.pread(pipe[0], arena.allocate(4), 0), Errno.ESPIPE);
        assertThatThrownBy(() -> FileCalls.read(ro, MemorySegment.ofArray(new byte[4])))
                .isInstanceOf(IllegalArgumentException.class); // heap memory cannot go to the kernel
        assertThatThrownBy(() -> FileCalls.write(ro, arena.allocate(4), 5))
                .isInstanceOf(IndexOutOfBoundsException.class);
        fds.close(ro);
        assertErrno(() -> FileCalls.close(ro), Errno.EBADF);
    }

    @Test
    void pipesPollAndNonBlockingReads() throws IOException {
        int[] pipe = FileCalls.pipe2(O_CLOEXEC);
        int r = fds.add(pipe[0]);
        int w = fds.add(pipe[1]);
        assertThat(Poll.poll(r, Poll.POLLIN, 0)).isZero();
        assertThat(Poll.poll(r, Poll.POLLIN, 20)).isZero(); // times out

        FileCalls.fcntl(r, Flags.F_SETFL, FileCalls.fcntl(r, Flags.F_GETFL, 0) | O_NONBLOCK);
        assertErrno(() -> FileCalls.read(r, arena.allocate(8)), Errno.EAGAIN);

        FileCalls.write(w, Fds.segment(arena, "ping"));
        int[] both = {r, w};
        short[] revents = new short[2];
        assertThat(Poll.poll(both, new short[] {Poll.POLLIN, Poll.POLLOUT}, revents, 1000))
                .isEqualTo(2);
        assertThat(revents[0] & Poll.POLLIN).isNotZero();
        assertThat(revents[1] & Poll.POLLOUT).isNotZero();
        MemorySegment buf = arena.allocate(8);
        assertThat(Fds.string(buf, FileCalls.read(r, buf))).isEqualTo("ping");

        fds.close(w);
        assertThat(Poll.poll(r, Poll.POLLIN, 1000) & Poll.POLLHUP).isNotZero();
        assertThat(FileCalls.read(r, buf)).isZero(); // end of file: the last writer is gone
    }

    @Test
    void dupAndDescriptorFlags() throws IOException {
        int fd = fds.open(dir, "d", O_RDWR | O_CREAT);
        assertThat(FileCalls.fcntl(fd, Flags.F_GETFD, 0) & Flags.FD_CLOEXEC).isEqualTo(Flags.FD_CLOEXEC);
        int copy = fds.add(FileCalls.dup(fd));
        assertThat(copy).isNotEqualTo(fd);
        assertThat(FileCalls.fcntl(copy, Flags.F_GETFD, 0) & Flags.FD_CLOEXEC).isZero(); // dup clears it
        FileCalls.write(copy, Fds.segment(arena, "xy"));
        assertThat(FileCalls.lseek(fd, 0, Flags.SEEK_CUR)).isEqualTo(2); // one open file description
        assertThat(FileCalls.fcntl(fd, Flags.F_GETFL, 0) & Flags.O_ACCMODE).isEqualTo(O_RDWR);
        assertThat(FileCalls.fcntl(fd, Flags.F_GETFL, 0) & Flags.O_LARGEFILE).isEqualTo(Flags.O_LARGEFILE);
        int cloexecCopy = fds.add(FileCalls.fcntl(fd, Flags.F_DUPFD_CLOEXEC, 100));
        assertThat(cloexecCopy).isGreaterThanOrEqualTo(100);
    }

    @Test
    void eventfdCountsAndWakesPoll() throws IOException {
        int efd = fds.add(EventFd.eventfd(0, EventFd.EFD_CLOEXEC | EventFd.EFD_NONBLOCK));
        assertThat(Poll.poll(efd, Poll.POLLIN, 0)).isZero();
        assertErrno(() -> EventFd.take(efd), Errno.EAGAIN);
        EventFd.add(efd, 2);
        EventFd.add(efd, 3);
        assertThat(Poll.poll(efd, Poll.POLLIN, 1000) & Poll.POLLIN).isNotZero();
        assertThat(EventFd.take(efd)).isEqualTo(5);
    }

    @Test
    void callsWorkOnVirtualThreadsToo() throws Exception {
        Files.writeString(tmp.resolve("v"), "virtual");
        String[] seen = new String[1];
        Throwable[] failure = new Throwable[1];
        Thread.ofVirtual()
                .start(() -> {
                    try {
                        int fd = FileCalls.openat2(dir, "v", O_RDONLY | O_CLOEXEC, 0, Flags.RESOLVE_BENEATH);
                        seen[0] = OpenAt2IT.readAll(fd);
                        FileCalls.close(fd);
                        FileCalls.openat2(dir, "nope", O_RDONLY, 0, Flags.RESOLVE_BENEATH);
                    } catch (Throwable t) {
                        failure[0] = t;
                    }
                })
                .join();
        assertThat(seen[0]).isEqualTo("virtual");
        assertThat(failure[0]).hasMessage("openat2(nope): No such file or directory (ENOENT)");
    }
}
