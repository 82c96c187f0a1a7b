package io.dpuoffload.exec.host;

import io.dpuoffload.exec.threads.RunThreads;
import io.dpuoffload.exec.wire.ExecWire;
import io.dpuoffload.ipc.wire.Records;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.ProcessExits;
import io.dpuoffload.linux.Terminals;
import io.dpuoffload.transport.ConnectionLostException;
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
 * lost, the program's whole process group is killed; a durable run instead waits its grace period
 * for a client to take it over ({@link #reattach}), its output dropped meanwhile as a program's
 * whose terminal went away, its stdin kept open.
 *
 * <p>Blocking pipes on platform threads of the run's own (three per process), and the wait for the
 * exit on a platform thread of {@link io.dpuoffload.linux.BlockingCalls}: never a native call that
 * waits on the stream handler's virtual thread, whose carrier it would hold for the program's whole
 * life (with as many carriers as cores, the host then ran only that many programs at once). Simple
 * and fair for the numbers a host runs ({@link ExecServer#MAX_RUNS}); the descriptors do not join an
 * event loop.
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
    /**
     * Set, under this lock, when {@link #pidfd} is closed: its number may then be another run's
     * pidfd at once, and a late signal through it (a lost client's SIGKILL racing the exit) would
     * kill that run's program.
     */
    private final Object pidfdLock = new Object();

    private boolean pidfdClosed;
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

    /** A durable run's token; null when the run ends with its client's stream. */
    private final byte[] token;

    private final DetachedRuns detachedRuns;
    private final String peer;
    /** The client's stream; null while a durable run waits for a client. Written under this. */
    private volatile ByteStream stream;
    /** Detachments so far, so that a grace period ends only the detachment it began with. */
    private int detachments;

    private boolean expired;
    /** The program's stdin, -1 once closed; used by one client reader at a time. */
    private int stdin = -1;

    RemoteProcess(
            int pid,
            int pidfd,
            java.util.Optional<java.nio.file.Path> group,
            ByteStream stream,
            String description,
            byte[] token,
            DetachedRuns detachedRuns,
            String peer) {
        this.group = group;
        this.pid = pid;
        this.pidfd = pidfd;
        this.stream = stream;
        this.description = description;
        this.token = token;
        this.detachedRuns = detachedRuns;
        this.peer = peer;
    }

    /** Runs the relay until the program exits and its exit is sent (or the client is lost). */
    void relay(RunStdio stdio) throws InterruptedException {
        this.terminal = stdio.master();
        this.stdin = stdio.toProgram();
        ByteStream first = stream;
        announce(first);
        RunThreads.start("exec-out-" + pid, () -> pump(stdio.fromOut(), ExecWire.STDOUT));
        if (stdio.fromErr() >= 0) {
            RunThreads.start("exec-err-" + pid, () -> pump(stdio.fromErr(), ExecWire.STDERR));
        } else {
            outputsDone.countDown(); // a terminal: stderr comes with stdout
        }
        RunThreads.start("exec-in-" + pid, () -> fromClient(first));
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
        java.util.List<Integer> left = group.map(this::lingering).orElse(java.util.List.of());
        ByteStream client = awaitClient();
        if (client != null) {
            if (!left.isEmpty()) {
                ByteBuf pids = alloc.buffer(4 * left.size());
                left.forEach(pids::writeInt);
                client.write(Records.record(alloc, ExecWire.DESCENDANTS, pids));
            }
            client.write(ExecWire.exit(alloc, exit.signalled(), exit.value()));
            client.finish();
        }
        synchronized (pidfdLock) {
            pidfdClosed = true;
            FileCalls.closeQuietly(pidfd);
        }
    }

    /** {@code signal} to the program, unless it has ended and its pidfd is closed; the kernel's answer. */
    private int signalProgram(int signal) {
        synchronized (pidfdLock) {
            return pidfdClosed ? 0 : ProcessExits.signal(pidfd, signal);
        }
    }

    /** The program's host pid and, for a durable run, its token: the first thing a client hears. */
    private void announce(ByteStream to) {
        ByteBuf started = alloc.buffer(4 + (token == null ? 0 : token.length)).writeInt(pid);
        if (token != null) {
            started.writeBytes(token);
        }
        to.write(Records.record(alloc, ExecWire.STARTED, started));
    }

    /** The client to tell the exit to: the current one, one that takes the run over, or none (null). */
    private synchronized ByteStream awaitClient() throws InterruptedException {
        while (stream == null && !expired) {
            wait();
        }
        return expired ? null : stream;
    }

    /**
     * A client took this durable run over: it hears the start again, then the rest; what it sends
     * is read on a thread of its own, as the first client's (its stdin goes into a pipe, whose
     * write may wait). False when the run's grace period ended first.
     */
    boolean reattach(ByteStream client) {
        synchronized (this) {
            if (expired || stream != null) {
                return false;
            }
            announce(client); // queued before the exit that the waiter may send once woken
            stream = client;
            notifyAll();
        }
        log.info("{}: a client took pid {} over again", description, pid);
        RunThreads.start("exec-in-" + pid, () -> fromClient(client));
        return true;
    }

    private void detach(ByteStream from, String why) {
        int mine;
        synchronized (this) {
            if (stream != from) {
                return;
            }
            stream = null;
            mine = ++detachments;
            detachedRuns.park(token, this, peer);
        }
        log.warn(
                "{}: lost the client ({}); pid {} keeps running for {} for a client to take it over",
                description,
                why,
                pid,
                detachedRuns.grace());
        Thread.ofVirtual().name("exec-grace-" + pid).start(() -> {
            try {
                Thread.sleep(detachedRuns.grace());
                expire(mine);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void expire(int detachment) {
        synchronized (this) {
            if (stream != null || detachments != detachment || expired) {
                return;
            }
            expired = true;
            notifyAll();
        }
        detachedRuns.forget(token, this);
        closeStdin();
        if (!exited) {
            log.warn("{}: no client took pid {} over within {}; killing it", description, pid, detachedRuns.grace());
            kill();
        }
    }

    private void kill() {
        group.ifPresent(RunCgroups::kill);
        ProcessExits.signalGroup(pid, SIGKILL);
        signalProgram(SIGKILL);
    }

    private void closeStdin() {
        if (stdin >= 0) {
            FileCalls.closeQuietly(stdin);
            stdin = -1;
        }
    }

    /**
     * Descendants still running after the program exited (a daemonized QEMU), which the client learns;
     * the run's cgroup goes once they have ended too.
     */
    private java.util.List<Integer> lingering(java.nio.file.Path cgroup) {
        java.util.List<Integer> left = RunCgroups.pids(cgroup);
        if (left.isEmpty()) {
            RunCgroups.remove(cgroup);
            return left;
        }
        log.info("{}: pid {} exited; its descendants {} keep running, followed in {}", description, pid, left, cgroup);
        Thread.ofVirtual().name("exec-cgroup-" + pid).start(() -> removeWhenEmpty(cgroup));
        return left;
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
                ByteStream client = stream;
                if (client == null) {
                    continue; // no client now: the output goes nowhere, as to a terminal that went away
                }
                ByteBuf payload = Unpooled.wrappedBuffer(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
                inFlight.acquire(); // a few chunks queued keep the stream busy; more would only use memory
                client.write(Records.record(alloc, kind, payload)).whenComplete((done, failure) -> inFlight.release());
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

    /**
     * The client's stdin and signals; the client lost means the program group is killed, or, for a
     * durable run whose connection went, that the run waits for another client.
     */
    private void fromClient(ByteStream client) {
        Records.Decoder decoder = new Records.Decoder(alloc);
        boolean detached = false;
        try {
            while (true) {
                ByteBuf chunk = client.read();
                if (chunk == null) {
                    return; // the client finished: it has nothing more to say
                }
                decoder.feed(chunk, record -> {
                    try {
                        accept(record.kind(), record.payload());
                    } finally {
                        record.payload().release();
                    }
                });
            }
        } catch (ConnectionLostException e) {
            if (token != null) {
                detached = true;
                detach(client, e.getMessage());
            } else {
                killUnlessExited(e);
            }
        } catch (TransportException e) {
            killUnlessExited(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            decoder.close();
            if (!detached) {
                closeStdin();
            }
        }
    }

    private void killUnlessExited(TransportException e) {
        if (!exited) {
            log.warn(
                    "{}: lost the client ({}); killing pid {} and its process group", description, e.getMessage(), pid);
            kill();
        }
    }

    private void accept(int kind, ByteBuf payload) {
        switch (kind) {
            case ExecWire.STDIN -> {
                if (stdin < 0) {
                    return;
                }
                byte[] data = io.netty.buffer.ByteBufUtil.getBytes(payload);
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment bytes = arena.allocateFrom(ValueLayout.JAVA_BYTE, data);
                    long written = 0;
                    while (written < data.length) {
                        written += FileCalls.write(stdin, bytes.asSlice(written), data.length - written);
                    }
                } catch (ErrnoException e) {
                    log.debug("{}: the program's stdin is closed: {}", description, e.getMessage());
                    closeStdin();
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
                closeStdin();
            }
            case ExecWire.SIGNAL -> {
                int signal = payload.readInt();
                int r = signalProgram(signal);
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
