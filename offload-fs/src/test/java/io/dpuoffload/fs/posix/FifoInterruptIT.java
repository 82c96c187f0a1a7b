package io.dpuoffload.fs.posix;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.allowlist.PathPrefixes;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.PathCalls;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A wait on a shared fifo (its open waiting for a writer, a read waiting for data) is the one kind
 * of call a signal may end early: without SA_RESTART it ends with EINTR, soon, as locally, and
 * leaves nothing open on the host (a writer that will not wait then finds no reader there).
 */
class FifoInterruptIT {
    /** When the program's SIGALRM comes. */
    private static final int DELAY_MS = 300;

    /**
     * A bound, not a benchmark: the machine may be busy. That the host's thread left its wait (rather
     * than the DPU giving up on it after Interrupts#HOST_GRACE) is shown by the host's fifo afterwards:
     * a thread still waiting in open or read would be a reader there.
     */
    private static final long MAX_ELAPSED_MS = 10_000;

    @TempDir
    static Path work;

    @TempDir
    static Path tools;

    static PosixMount fs;
    static Path fifoWait;

    @BeforeAll
    static void start() throws Exception {
        fifoWait = new TestPrograms(tools).c("fifo_wait");
        fs = PosixMount.start(work, e -> e.withSharedFifos(new PathPrefixes(List.of("/"))));
    }

    @AfterAll
    static void stop() {
        if (fs != null) {
            fs.close();
        }
    }

    @Test
    void anOpenWaitingForAWriterEndsWithEintrAndLeavesNoReaderOnTheHost() throws Exception {
        Sides d = fs.fresh();
        PathCalls.mknodat(Flags.AT_FDCWD, d.host("fifo").toString(), Flags.S_IFIFO | 0666, 0);
        PathCalls.mknodat(Flags.AT_FDCWD, d.local("fifo").toString(), Flags.S_IFIFO | 0666, 0);

        assertEndsWithEintr("open", d.local("fifo"));
        assertEndsWithEintr("open", d.mount("fifo"));
        assertThat(Sys.openErrno(d.host("fifo"), Flags.O_WRONLY | Flags.O_NONBLOCK, 0))
                .as("a host writer finds no reader left behind")
                .isEqualTo(Errno.ENXIO);

        // And the fifo still works: the next open meets its writer.
        CompletableFuture<Integer> writer = CompletableFuture.supplyAsync(() -> {
            try {
                return Sys.open(d.host("fifo"), Flags.O_WRONLY);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        int reader = Sys.open(d.mount("fifo"), Flags.O_RDONLY);
        int writerFd = writer.get(10, TimeUnit.SECONDS);
        try (Arena arena = Arena.ofConfined()) {
            FileCalls.write(writerFd, arena.allocateFrom("x"), 1);
            var buffer = arena.allocate(1);
            assertThat(FileCalls.read(reader, buffer)).isEqualTo(1);
            assertThat(buffer.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 'x');
        } finally {
            Sys.close(writerFd);
            Sys.close(reader);
        }
    }

    @Test
    void aReadWaitingForDataEndsWithEintr() throws Exception {
        Sides d = fs.fresh();
        PathCalls.mknodat(Flags.AT_FDCWD, d.host("fifo").toString(), Flags.S_IFIFO | 0666, 0);
        PathCalls.mknodat(Flags.AT_FDCWD, d.local("fifo").toString(), Flags.S_IFIFO | 0666, 0);

        assertEndsWithEintr("read", d.local("fifo"));
        assertEndsWithEintr("read", d.mount("fifo"));
        // The program's own read-write open goes with its exit; the DPU's kernel sends RELEASE after.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (Sys.openErrno(d.host("fifo"), Flags.O_WRONLY | Flags.O_NONBLOCK, 0) != Errno.ENXIO
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(Sys.openErrno(d.host("fifo"), Flags.O_WRONLY | Flags.O_NONBLOCK, 0))
                .as("no reader left on the host once the program is gone")
                .isEqualTo(Errno.ENXIO);
    }

    private static void assertEndsWithEintr(String call, Path fifo) throws Exception {
        String[] result = TestPrograms.run(
                        List.of(fifoWait.toString(), call, fifo.toString(), Integer.toString(DELAY_MS)), 30)
                .strip()
                .split(" ");
        assertThat(result[0] + " " + result[1]).as("%s of %s", call, fifo).isEqualTo(call + " " + Errno.EINTR);
        assertThat(Long.parseLong(result[2]))
                .as("ms until %s of %s ended", call, fifo)
                .isLessThan(MAX_ELAPSED_MS);
    }
}
