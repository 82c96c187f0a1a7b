package io.dpuoffload.fs.posix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dpuoffload.fs.allowlist.PathPrefixes;
import io.dpuoffload.fs.e2e.StreamReads;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.PathCalls;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shared fifos (docs/offload-fs.md, FIFOs) end as a local fifo does: a reader on the DPU sees
 * end-of-file when the last writer goes, on either side; a program that reads as Go's runtime does
 * (non-blocking, epoll) is woken, reaches end-of-file and can close while it waits; and a DPU
 * reader that gives up (a signal, then close) leaves no reader behind on the host.
 */
class SharedFifosIT {
    /** How long an end-of-file, a wake-up or a release may take to arrive: far above the milliseconds it takes. */
    private static final Duration PROMPTLY = Duration.ofSeconds(5);

    @TempDir
    static Path work;

    static PosixMount fs;
    static Path reader;
    /** The same reads by Go's own runtime; null when Go is not installed. */
    static Path goCopy;

    @BeforeAll
    static void mount() throws Exception {
        fs = PosixMount.start(
                Files.createDirectories(work.resolve("fs")), e -> e.withSharedFifos(new PathPrefixes(List.of("/"))));
        reader = buildReader(Files.createDirectories(work.resolve("tools")));
        goCopy = buildGoCopy(work.resolve("tools"));
    }

    @AfterAll
    static void unmount() {
        if (fs != null) {
            fs.close();
        }
    }

    @Test
    void aDpuReaderSeesEndOfFileWhenTheLastHostWriterCloses() throws Exception {
        Sides d = fifo();
        CompletableFuture<String> read = StreamReads.readToEnd(d.mount("p"));
        try (FileOutputStream first = new FileOutputStream(d.host("p").toFile())) {
            try (FileOutputStream second = new FileOutputStream(d.host("p").toFile())) {
                first.write("one ".getBytes(StandardCharsets.UTF_8));
                first.close();
                Thread.sleep(300);
                assertThat(read)
                        .as("one host writer is still there: no end-of-file yet")
                        .isNotDone();
                second.write("two".getBytes(StandardCharsets.UTF_8));
            }
        }
        assertThat(read.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS)).isEqualTo("one two");
    }

    @Test
    void aDpuReaderSeesEndOfFileWhenTheLastDpuWriterCloses() throws Exception {
        Sides d = fifo();
        CompletableFuture<String> read = StreamReads.readToEnd(d.mount("p"));
        try (FileOutputStream writer = new FileOutputStream(d.mount("p").toFile())) {
            writer.write("from the dpu".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(read.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS)).isEqualTo("from the dpu");
    }

    /** containerd's copy of a task's output: Go reads the fifo (a regular file here) with its poller. */
    @Test
    void aGoStyleCopyIsWokenForEachWriteAndEndsAtEndOfFile() throws Exception {
        Sides d = fifo();
        Process copy = run(d.mount("p"), "copy");
        try (FileOutputStream writer = new FileOutputStream(d.host("p").toFile())) {
            for (String chunk : List.of("a", "b", "c")) {
                writer.write(chunk.getBytes(StandardCharsets.UTF_8));
                writer.flush();
                Thread.sleep(200); // each chunk after the reader found the fifo empty (EAGAIN)
            }
        }
        assertThat(exit(copy)).as(stderr(copy)).isZero();
        assertThat(stdout(copy)).isEqualTo("abceof\n");
    }

    /** containerd's close of that copy while the task still holds its end: Go's Close must return. */
    @Test
    void aGoStyleCloseEndsTheReadItWaitsForAndLeavesNoReaderOnTheHost() throws Exception {
        Sides d = fifo();
        Process close = run(d.mount("p"), "close");
        try (FileOutputStream writer = new FileOutputStream(d.host("p").toFile())) {
            writer.write('x');
            writer.flush();
            assertThat(exit(close)).as(stderr(close)).isZero();
            assertThat(stdout(close)).isEqualTo("xclosed\n");
            awaitNoReaderOnTheHost(d.host("p"));
        }
    }

    /** containerd's io.Copy of a task's output, by Go itself: woken for each write, ended by end-of-file. */
    @Test
    void goReadsAFifoToItsEndAsContainerdCopiesATasksOutput() throws Exception {
        assumeTrue(goCopy != null, "skipped: Go is not installed (./dpuo test installs golang-go)");
        Sides d = fifo();
        Process copy = new ProcessBuilder(goCopy.toString(), d.mount("p").toString(), "copy").start();
        try (FileOutputStream writer = new FileOutputStream(d.host("p").toFile())) {
            for (String chunk : List.of("a", "b", "c")) {
                writer.write(chunk.getBytes(StandardCharsets.UTF_8));
                writer.flush();
                Thread.sleep(200);
            }
        }
        assertThat(exit(copy)).as(stderr(copy)).isZero();
        assertThat(stdout(copy)).isEqualTo("abceof\n");
    }

    /**
     * Go writing more than the fifo holds, to a slow reader on the host: each write that finds it
     * full answers EAGAIN, and the poller is woken when the reader has made room.
     */
    @Test
    void goWritesAMebibyteToASlowHostReaderWhole() throws Exception {
        assumeTrue(goCopy != null, "skipped: Go is not installed (./dpuo test installs golang-go)");
        Sides d = fifo();
        Process write = new ProcessBuilder(goCopy.toString(), d.mount("p").toString(), "write").start();
        byte[] got;
        try (InputStream reader = new FileInputStream(d.host("p").toFile())) {
            var all = new java.io.ByteArrayOutputStream();
            byte[] buffer = new byte[16 * 1024];
            for (int n; (n = reader.read(buffer)) >= 0; ) {
                all.write(buffer, 0, n);
                Thread.sleep(1); // slower than the writer: the fifo fills
            }
            got = all.toByteArray();
        }
        assertThat(exit(write)).as(stderr(write)).isZero();
        assertThat(stdout(write)).isEqualTo("wrote 1048576\n");
        assertThat(got).hasSize(1 << 20);
        for (int i = 0; i < got.length; i++) {
            if (got[i] != (byte) (i % 251)) {
                throw new AssertionError("byte " + i + " is " + got[i] + ", not " + (i % 251));
            }
        }
    }

    /** containerd's close of that copy while the shim still holds its end: Go's File.Close returns. */
    @Test
    void goClosesAFifoWhileItsReadWaitsAndTheHostKeepsNoReader() throws Exception {
        assumeTrue(goCopy != null, "skipped: Go is not installed (./dpuo test installs golang-go)");
        Sides d = fifo();
        Process close = new ProcessBuilder(goCopy.toString(), d.mount("p").toString(), "close").start();
        try (FileOutputStream writer = new FileOutputStream(d.host("p").toFile())) {
            writer.write('x');
            writer.flush();
            assertThat(exit(close)).as(stderr(close)).isZero();
            assertThat(stdout(close)).isEqualTo("xclosed\n");
            awaitNoReaderOnTheHost(d.host("p"));
        }
    }

    /**
     * A blocking read the DPU caller abandons (a signal ends it, then the file is closed): the
     * host's read of it ends with the release, so its thread is free and the fifo has no reader.
     */
    @Test
    void aReleaseEndsTheReadTheHostWaitsIn() throws Exception {
        Sides d = fifo();
        Process interrupted = run(d.mount("p"), "interrupt");
        try (FileOutputStream writer = new FileOutputStream(d.host("p").toFile())) {
            writer.write('x');
            writer.flush();
            assertThat(exit(interrupted)).as(stderr(interrupted)).isZero();
            assertThat(stdout(interrupted)).isEqualTo("interrupted\n");
            awaitNoReaderOnTheHost(d.host("p"));
            awaitHostThreadsIn("host.FifoEnd", "read", 0);
        }
    }

    /**
     * A DPU that goes away while its open of a fifo waits for a writer: the host's open ends with
     * the session, and neither its thread nor a descriptor of the fifo stays on the host.
     */
    @Test
    void aSessionThatEndsWhileAnOpenWaitsLeavesNoThreadOrDescriptorOnTheHost(@TempDir Path own) throws Exception {
        try (PosixMount ending = PosixMount.start(own, e -> e.withSharedFifos(new PathPrefixes(List.of("/"))))) {
            Path fifo = ending.exported().resolve("p");
            PathCalls.mknodat(Flags.AT_FDCWD, fifo.toString(), Flags.S_IFIFO | 0600, 0);
            Process opening = run(ending.mountpoint().resolve("p"), "copy");
            awaitHostOpensWaiting(1);

            ending.pair.mount.close(); // the DPU goes: its connection closes, the session ends

            awaitHostOpensWaiting(0);
            long deadline = System.nanoTime() + PROMPTLY.toNanos();
            while (descriptorsOnTheHost(fifo) > 0) {
                assertThat(System.nanoTime())
                        .as("the host still holds the fifo open %s after the session ended", PROMPTLY)
                        .isLessThan(deadline);
                Thread.sleep(20);
            }
            exit(opening);
        }
    }

    /** Exact (non-shared) fifos elsewhere are untouched: see SpecialFilesIT. Here, O_NONBLOCK reads answer EAGAIN. */
    @Test
    void aNonBlockingReadOfAnEmptyFifoWithAWriterAnswersEagain() throws Exception {
        Sides d = fifo();
        int fd = FileCalls.openat(
                Flags.AT_FDCWD, d.mount("p").toString(), Flags.O_RDONLY | Flags.O_NONBLOCK | Flags.O_CLOEXEC, 0);
        try (FileOutputStream writer = new FileOutputStream(d.host("p").toFile())) {
            long answer =
                    FileCalls.readSome(fd, java.lang.foreign.Arena.ofAuto().allocate(16), 16);
            assertThat(answer).isEqualTo(-Errno.EAGAIN);
            writer.write('y');
            writer.flush();
            assertThat(FileCalls.readSome(fd, java.lang.foreign.Arena.ofAuto().allocate(16), 16))
                    .isEqualTo(1);
        } finally {
            FileCalls.close(fd);
        }
    }

    private static Sides fifo() throws Exception {
        Sides d = fs.fresh();
        PathCalls.mknodat(Flags.AT_FDCWD, d.host("p").toString(), Flags.S_IFIFO | 0600, 0);
        return d;
    }

    /**
     * A host writer's non-blocking open fails with ENXIO exactly when the fifo has no reader: once
     * the DPU's reader has gone, the host must not keep one of its own open.
     */
    private static void awaitNoReaderOnTheHost(Path fifo) throws Exception {
        long deadline = System.nanoTime() + PROMPTLY.toNanos();
        while (true) {
            int fd;
            try {
                fd = FileCalls.openat(Flags.AT_FDCWD, fifo.toString(), Flags.O_WRONLY | Flags.O_NONBLOCK, 0);
            } catch (ErrnoException e) {
                assertThat(e.errno()).isEqualTo(Errno.ENXIO);
                return;
            }
            FileCalls.close(fd);
            assertThat(System.nanoTime())
                    .as("the host still has a reader of the fifo %s after the DPU's went", PROMPTLY)
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Waits until {@code count} host threads wait in a fifo's open (FifoOpens), within PROMPTLY. */
    private static void awaitHostOpensWaiting(int count) throws InterruptedException {
        awaitHostThreadsIn("host.FifoOpens", "open", count);
    }

    /** Waits until {@code count} threads of this JVM (the host server) are in {@code type.method}. */
    private static void awaitHostThreadsIn(String type, String method, int count) throws InterruptedException {
        long deadline = System.nanoTime() + PROMPTLY.toNanos();
        while (true) {
            long waiting = Thread.getAllStackTraces().values().stream()
                    .filter(stack -> java.util.Arrays.stream(stack)
                            .anyMatch(frame -> frame.getClassName().endsWith(type)
                                    && frame.getMethodName().equals(method)))
                    .count();
            if (waiting == count) {
                return;
            }
            assertThat(System.nanoTime())
                    .as("%d host threads in %s.%s, not %d, after %s", waiting, type, method, count, PROMPTLY)
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** This JVM (the host server) holds how many descriptors of {@code fifo}. */
    private static long descriptorsOnTheHost(Path fifo) throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                        try {
                            return Files.readSymbolicLink(fd).equals(fifo);
                        } catch (IOException e) {
                            return false; // closed meanwhile
                        }
                    })
                    .count();
        }
    }

    private static Process run(Path fifo, String mode) throws IOException {
        return new ProcessBuilder(reader.toString(), fifo.toString(), mode).start();
    }

    private static int exit(Process process) throws InterruptedException {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the reader did not end within 30 s");
        }
        return process.exitValue();
    }

    private static String stdout(Process process) throws IOException {
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String stderr(Process process) throws IOException {
        return "stderr: " + new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** go_copy built with Debian's golang-go; null when there is no Go (the tests using it say so). */
    private static Path buildGoCopy(Path tools) throws Exception {
        Path source = tools.resolve("go_copy.go");
        try (InputStream in = SharedFifosIT.class.getResourceAsStream("/fifo/go_copy.go")) {
            Files.copy(in, source);
        }
        Path binary = tools.resolve("go_copy");
        Path home = Files.createDirectories(tools.resolve("go-home"));
        ProcessBuilder build = new ProcessBuilder("go", "build", "-o", binary.toString(), source.toString())
                .directory(tools.toFile())
                .redirectErrorStream(true);
        build.environment().put("HOME", home.toString());
        build.environment().put("GOCACHE", home.resolve("cache").toString());
        build.environment().put("GOPATH", home.resolve("path").toString());
        build.environment().put("GOFLAGS", "");
        Process go;
        try {
            go = build.start();
        } catch (IOException e) {
            return null;
        }
        String output = new String(go.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(go.waitFor()).as("go build: %s", output).isZero();
        return binary;
    }

    private static Path buildReader(Path tools) throws Exception {
        Path source = tools.resolve("go_style_reader.c");
        try (InputStream in = SharedFifosIT.class.getResourceAsStream("/fifo/go_style_reader.c")) {
            Files.copy(in, source);
        }
        Path binary = tools.resolve("go_style_reader");
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-O1", "-o", binary.toString(), source.toString(), "-lpthread")
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            assumeTrue(false, "skipped: gcc is not installed (./dpuo installs it), so the reader cannot be built");
            return null;
        }
        String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor()).as("gcc: %s", output).isZero();
        return binary;
    }
}
