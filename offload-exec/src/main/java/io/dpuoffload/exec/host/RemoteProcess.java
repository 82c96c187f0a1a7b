package io.dpuoffload.exec.host;

import io.dpuoffload.exec.wire.ExecWire;
import io.dpuoffload.ipc.wire.Records;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.ProcessExits;
import io.dpuoffload.linux.Terminals;
import io.dpuoffload.transport.TransportException;
import io.dpuoffload.transport.mux.ByteStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One program started for a client, on the host: its stdout and stderr go to the client as they
 * come (each write waits for stream window, so a slow client slows the program, not our memory);
 * the client's stdin and signals come to it; its exit goes back last. If the client's stream is
 * lost, the program's whole process group is killed.
 *
 * <p>Blocking pipes on platform threads (three per process, plus the waiter): simple and fair for the
 * numbers a daemon starts; the descriptors do not join an event loop.
 */
final class RemoteProcess {
    private static final Logger log = LoggerFactory.getLogger(RemoteProcess.class);
    private static final int SIGKILL = 9;
    private static final int CHUNK = 64 * 1024 - Records.HEADER_BYTES;
    /** Output chunks queued on the stream at once, per output: 256 KiB. */
    private static final int IN_FLIGHT = 4;
    /** After the exit, how long output still held in the pipes may take to drain. */
    private static final Duration DRAIN = Duration.ofSeconds(1);

    private final int pid;
    private final int pidfd;
    private final ByteStream stream;
    private final String description;
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private final CountDownLatch outputsDone = new CountDownLatch(2);
    private final java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(2 * IN_FLIGHT);
    private volatile boolean exited;
    /** The pty master (for window sizes), or -1 when the program has pipes. */
    private int terminal = -1;
    /** Outputs the client can no longer deliver (indexed by fd), set from the client's thread. */
    private final boolean[] outputGone = new boolean[3];

    private final java.util.Optional<java.nio.file.Path> group;

    RemoteProcess(
            int pid, int pidfd, java.util.Optional<java.nio.file.Path> group, ByteStream stream, String description) {
        this.group = group;
        this.pid = pid;
        this.pidfd = pidfd;
        this.stream = stream;
        this.description = description;
    }

    /** Runs the relay until the program exits and its exit is sent (or the client is lost). */
    void relay(RunStdio stdio) throws InterruptedException {
        this.terminal = stdio.master();
        stream.write(ExecWire.intRecord(alloc, ExecWire.STARTED, pid));
        Thread.ofPlatform().daemon().name("exec-out-" + pid).start(() -> pump(stdio.fromOut(), ExecWire.STDOUT));
        if (stdio.fromErr() >= 0) {
            Thread.ofPlatform().daemon().name("exec-err-" + pid).start(() -> pump(stdio.fromErr(), ExecWire.STDERR));
        } else {
            outputsDone.countDown(); // a terminal: stderr comes with stdout
        }
        Thread.ofPlatform().daemon().name("exec-in-" + pid).start(() -> fromClient(stdio.toProgram()));
        ProcessExits.Exit exit;
        try {
            exit = ProcessExits.await(pidfd);
        } catch (ErrnoException e) {
            log.error("{}: cannot wait for pid {}: {}", description, pid, e.getMessage());
            exit = new ProcessExits.Exit(true, SIGKILL);
        }
        exited = true;
        if (!outputsDone.await(DRAIN.toMillis(), TimeUnit.MILLISECONDS)) {
            log.info("{}: pid {} exited; its output pipes are still held open (by a descendant?)", description, pid);
        }
        log.debug("{}: pid {} ended: {}", description, pid, exit);
        group.ifPresent(this::reportDescendants);
        stream.write(ExecWire.exit(alloc, exit.signalled(), exit.value()));
        stream.finish();
        FileCalls.closeQuietly(pidfd);
    }

    /** Descendants still running after the program exited (a daemonized QEMU): the client learns their pids. */
    private void reportDescendants(java.nio.file.Path cgroup) {
        java.util.List<Integer> left = RunCgroups.pids(cgroup);
        if (left.isEmpty()) {
            RunCgroups.remove(cgroup);
            return;
        }
        log.info("{}: pid {} exited; its descendants {} keep running, followed in {}", description, pid, left, cgroup);
        ByteBuf pids = alloc.buffer(4 * left.size());
        left.forEach(pids::writeInt);
        stream.write(Records.record(alloc, ExecWire.DESCENDANTS, pids));
        Thread.ofVirtual().name("exec-cgroup-" + pid).start(() -> removeWhenEmpty(cgroup));
    }

    private static void removeWhenEmpty(java.nio.file.Path cgroup) {
        try {
            while (!RunCgroups.remove(cgroup)) {
                Thread.sleep(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pump(int fd, int kind) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(CHUNK);
            while (true) {
                int n = FileCalls.read(fd, buffer);
                if (n == 0 || outputGone[kind == ExecWire.STDOUT ? 1 : 2]) {
                    return; // closing our end gives the program EPIPE on its next write, as locally
                }
                ByteBuf payload = Unpooled.wrappedBuffer(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
                inFlight.acquire(); // a few chunks queued keep the stream busy; more would only use memory
                stream.write(Records.record(alloc, kind, payload)).whenComplete((done, failure) -> inFlight.release());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ErrnoException | RuntimeException e) {
            log.debug("{}: output relay ended: {}", description, e.getMessage());
        } finally {
            FileCalls.closeQuietly(fd);
            outputsDone.countDown();
        }
    }

    /** The client's stdin and signals; the client lost means the program group is killed. */
    private void fromClient(int stdinWrite) {
        Records.Decoder decoder = new Records.Decoder(alloc);
        int[] stdin = {stdinWrite};
        try {
            while (true) {
                ByteBuf chunk = stream.read();
                if (chunk == null) {
                    return; // the client finished: it has nothing more to say
                }
                decoder.feed(chunk, record -> {
                    try {
                        accept(record.kind(), record.payload(), stdin);
                    } finally {
                        record.payload().release();
                    }
                });
            }
        } catch (TransportException e) {
            if (!exited) {
                log.warn(
                        "{}: lost the client ({}); killing pid {} and its process group",
                        description,
                        e.getMessage(),
                        pid);
                group.ifPresent(RunCgroups::kill);
                ProcessExits.signalGroup(pid, SIGKILL);
                ProcessExits.signal(pidfd, SIGKILL);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            decoder.close();
            if (stdin[0] >= 0) {
                FileCalls.closeQuietly(stdin[0]);
            }
        }
    }

    private void accept(int kind, ByteBuf payload, int[] stdin) {
        switch (kind) {
            case ExecWire.STDIN -> {
                if (stdin[0] < 0) {
                    return;
                }
                byte[] data = io.netty.buffer.ByteBufUtil.getBytes(payload);
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment bytes = arena.allocateFrom(ValueLayout.JAVA_BYTE, data);
                    long written = 0;
                    while (written < data.length) {
                        written += FileCalls.write(stdin[0], bytes.asSlice(written), data.length - written);
                    }
                } catch (ErrnoException e) {
                    log.debug("{}: the program's stdin is closed: {}", description, e.getMessage());
                    FileCalls.closeQuietly(stdin[0]);
                    stdin[0] = -1;
                }
            }
            case ExecWire.WINDOW_SIZE -> {
                if (terminal >= 0) {
                    try {
                        Terminals.setWindowSize(
                                terminal, new Terminals.WindowSize(payload.readInt(), payload.readInt()));
                    } catch (ErrnoException e) {
                        log.debug("{}: window size: {}", description, e.getMessage());
                    }
                }
            }
            case ExecWire.STDIN_END -> {
                if (terminal >= 0) {
                    return; // as over ssh -t: the terminal stays; the program reads what it was given
                }
                if (stdin[0] >= 0) {
                    FileCalls.closeQuietly(stdin[0]);
                    stdin[0] = -1;
                }
            }
            case ExecWire.SIGNAL -> {
                int signal = payload.readInt();
                int r = ProcessExits.signal(pidfd, signal);
                log.debug("{}: signal {} to pid {}: {}", description, signal, pid, r);
            }
            case ExecWire.OUTPUT_GONE -> {
                int fd = payload.readInt();
                if (fd == 1 || fd == 2) {
                    outputGone[fd] = true;
                    VarHandle.fullFence(); // the pump threads read the flag without a lock
                }
            }
            default -> log.warn("{}: unknown record kind {} from the client; ignored", description, kind);
        }
    }
}
