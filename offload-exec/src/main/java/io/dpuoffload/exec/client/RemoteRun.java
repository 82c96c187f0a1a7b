package io.dpuoffload.exec.client;

import io.dpuoffload.exec.wire.ExecRequest;
import io.dpuoffload.exec.wire.ExecWire;
import io.dpuoffload.ipc.wire.Records;
import io.dpuoffload.linux.ProcessExits;
import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.TransportException;
import io.dpuoffload.transport.mux.ByteStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * A program running on the host for us: our stdin goes to it, its stdout and stderr come to ours,
 * signals we {@link #signal} reach it, and {@link #await} gives its exit exactly (code, or the
 * signal that killed it). The stream's window bounds what is in flight both ways.
 */
public final class RemoteRun {
    /**
     * How long the host may take to start a program (or refuse it) before the run is cancelled and
     * fails with {@link StartTimedOutException}. A start on the host is the program's stdio, the
     * descriptors it inherits and one posix_spawn: milliseconds, and well under a second on a busy
     * 2-core host starting twelve VMs. A start still not done after 30 s is stuck (a host whose
     * threads are all held, an exec that hangs), and the daemon waiting for its child must hear so
     * rather than wait for ever; a run the host starts after all is killed there by the cancel.
     */
    public static final Duration START_BOUND = Duration.ofSeconds(30);

    /** Cancels the runs whose start did not come within their bound; one thread for all. */
    private static final ScheduledThreadPoolExecutor START_TIMER = startTimer();

    private final ByteStream stream;
    /** What started: the program, or "a run taken over", for the start bound's message. */
    private final String program;

    /** Cancels the run unless the start comes first (see {@link #startNotDone}). */
    private final ScheduledFuture<?> startDeadline;
    /** Set once STARTED or REFUSED arrived: the start bound no longer applies. */
    private volatile boolean startKnown;
    /** Set when the start bound cancelled the run. */
    private volatile boolean startTimedOut;

    private final Duration startBound;
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private volatile int hostPid = -1;
    private volatile java.util.List<Integer> descendants = java.util.List.of();
    private final boolean[] outputGone = new boolean[3];
    private volatile java.util.function.IntConsumer hostPids = pid -> {};
    private volatile java.util.function.Consumer<byte[]> started = token -> {};

    private RemoteRun(ByteStream stream, String program, Duration startBound) {
        this.stream = stream;
        this.program = program;
        this.startBound = startBound;
        this.startDeadline = START_TIMER.schedule(
                this::startNotDone, startBound.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Asks the host to start {@code request}; stdin is read from {@code stdin} on a thread of its own. */
    public static RemoteRun start(OffloadConnection connection, ExecRequest request, InputStream stdin) {
        RemoteRun run = open(connection, request);
        Thread.ofPlatform().daemon().name("rexec-stdin").start(() -> run.sendStdin(stdin));
        return run;
    }

    /** Asks the host to start {@code request}; the caller sends stdin with {@link #sendStdin}. */
    public static RemoteRun open(OffloadConnection connection, ExecRequest request) {
        return open(connection, request, START_BOUND);
    }

    /** As {@link #open(OffloadConnection, ExecRequest)}, with a start bound other than {@link #START_BOUND}. */
    public static RemoteRun open(OffloadConnection connection, ExecRequest request, Duration startBound) {
        return new RemoteRun(
                connection.openStream(ExecWire.EXEC, request.encode(ByteBufAllocator.DEFAULT)),
                request.programName(),
                startBound);
    }

    /**
     * A client that comes back for a durable run (see {@link ExecRequest#asDurable}) after its
     * connection was lost; the run goes on from its start, or ends at once (status 255, a message on
     * stderr) when the host no longer has it.
     */
    public static RemoteRun reattach(OffloadConnection connection, byte[] token) {
        return reattach(connection, token, START_BOUND);
    }

    /** As {@link #reattach(OffloadConnection, byte[])}, with a start bound other than {@link #START_BOUND}. */
    public static RemoteRun reattach(OffloadConnection connection, byte[] token, Duration startBound) {
        return new RemoteRun(
                connection.openStream(ExecWire.REATTACH, Unpooled.wrappedBuffer(token.clone())),
                "the run taken over",
                startBound);
    }

    private static ScheduledThreadPoolExecutor startTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(
                1, Thread.ofPlatform().daemon().name("exec-start-bound").factory());
        timer.setRemoveOnCancelPolicy(true); // a start that came leaves nothing queued behind
        return timer;
    }

    /** The start bound passed: unless the start came meanwhile, the run is cancelled (and killed there). */
    private void startNotDone() {
        if (!startKnown) {
            startTimedOut = true;
            stream.cancel("not started within " + startBound.toSeconds() + " s");
        }
    }

    /** STARTED or REFUSED arrived: the start is done, one way or the other. */
    private void startDone() {
        startKnown = true;
        startDeadline.cancel(false);
    }

    /**
     * Tells {@code listener} once the program runs on the host: with the run's token when it is
     * durable, an empty array otherwise.
     */
    public void onStarted(java.util.function.Consumer<byte[]> listener) {
        this.started = listener;
    }

    /** Tells {@code listener} each host pid the host reports: the program's, then lasting descendants'. */
    public void onHostPids(java.util.function.IntConsumer listener) {
        this.hostPids = listener;
    }

    /** Abandons the run: the host kills the program and its descendants. */
    public void cancel(String reason) {
        startDone(); // the bound has nothing left to cancel
        stream.cancel(reason);
    }

    /** The program's pid on the host, once it started (-1 before). */
    public int hostPid() {
        return hostPid;
    }

    /** Host pids of the program's descendants that were still running when it exited (daemonized ones). */
    public java.util.List<Integer> descendants() {
        return descendants;
    }

    /** The client's terminal changed size: the program's pty follows (and its foreground gets SIGWINCH). */
    public void resize(int rows, int columns) {
        stream.write(Records.record(
                alloc, ExecWire.WINDOW_SIZE, alloc.buffer(8).writeInt(rows).writeInt(columns)));
    }

    /**
     * Sends {@code signal} to the program. The result fails when the connection was already gone, so
     * the signal never left; one sent just before a link dies may still be lost with it.
     */
    public java.util.concurrent.CompletableFuture<Void> signal(int signal) {
        return stream.write(ExecWire.intRecord(alloc, ExecWire.SIGNAL, signal));
    }

    /**
     * Copies the program's output to {@code stdout} and {@code stderr} until it exits, and returns how.
     * A refused start writes the host's message to {@code stderr} and returns 126 or 127.
     *
     * @throws TransportException when the connection to the host is lost first
     * @throws StartTimedOutException when the host did not start the program within the start bound
     */
    public ProcessExits.Exit await(OutputStream stdout, OutputStream stderr) throws InterruptedException, IOException {
        Records.Decoder decoder = new Records.Decoder(alloc);
        ProcessExits.Exit[] exit = {null};
        IOException[] failed = {null};
        try {
            while (exit[0] == null) {
                ByteBuf chunk;
                try {
                    chunk = stream.read();
                } catch (TransportException e) {
                    if (startTimedOut) {
                        throw new StartTimedOutException(program, startBound);
                    }
                    throw e;
                }
                if (chunk == null) {
                    throw new IOException("the host ended the stream without an exit status");
                }
                decoder.feed(chunk, record -> {
                    try {
                        if (exit[0] == null && failed[0] == null) {
                            exit[0] = accept(record.kind(), record.payload(), stdout, stderr);
                        }
                    } catch (IOException e) {
                        failed[0] = e;
                    } finally {
                        record.payload().release();
                    }
                });
                if (failed[0] != null) {
                    throw failed[0];
                }
            }
            stdout.flush();
            stderr.flush();
            return exit[0];
        } finally {
            startDone(); // whatever ended the wait, the bound has nothing left to cancel
            decoder.close();
            stream.close();
        }
    }

    /**
     * Our output {@code fd} failing (a reader that went away: {@code rexec yes | head}) is told to
     * the host, which closes the program's pipe so that it gets EPIPE as a local child would.
     */
    private void copy(ByteBuf payload, OutputStream out, int fd) {
        if (outputGone[fd]) {
            return;
        }
        try {
            payload.readBytes(out, payload.readableBytes());
            out.flush();
        } catch (IOException e) {
            outputGone[fd] = true;
            stream.write(ExecWire.intRecord(alloc, ExecWire.OUTPUT_GONE, fd));
        }
    }

    private ProcessExits.Exit accept(int kind, ByteBuf payload, OutputStream stdout, OutputStream stderr)
            throws IOException {
        switch (kind) {
            case ExecWire.STARTED -> {
                startDone();
                hostPid = payload.readInt();
                hostPids.accept(hostPid);
                started.accept(ByteBufUtil.getBytes(payload));
            }
            case ExecWire.STDOUT -> copy(payload, stdout, 1);
            case ExecWire.STDERR -> copy(payload, stderr, 2);
            case ExecWire.DESCENDANTS -> {
                java.util.List<Integer> pids = new java.util.ArrayList<>();
                while (payload.readableBytes() >= 4) {
                    pids.add(payload.readInt());
                }
                descendants = java.util.List.copyOf(pids);
                descendants.forEach(hostPids::accept);
            }
            case ExecWire.EXIT -> {
                boolean signalled = payload.readBoolean();
                return new ProcessExits.Exit(signalled, payload.readInt());
            }
            case ExecWire.REFUSED -> {
                startDone();
                int status = payload.readInt();
                stderr.write(ByteBufUtil.getBytes(payload));
                stderr.flush();
                return new ProcessExits.Exit(false, status);
            }
            default ->
                throw new IOException(
                        "unknown record kind " + kind + " (" + payload.readableBytes() + " bytes) from the host");
        }
        return null;
    }

    /** Sends {@code stdin} to the program until it ends (then the program reads end of file). */
    public void sendStdin(InputStream stdin) {
        byte[] buffer = new byte[64 * 1024 - Records.HEADER_BYTES];
        try {
            int n;
            while ((n = stdin.read(buffer)) >= 0) {
                if (n > 0) {
                    stream.write(Records.record(alloc, ExecWire.STDIN, Unpooled.copiedBuffer(buffer, 0, n)))
                            .join();
                }
            }
            stream.write(ExecWire.empty(alloc, ExecWire.STDIN_END));
        } catch (IOException | RuntimeException e) {
            // our stdin failed or the stream ended: the program sees end of input either way
            try {
                stream.write(ExecWire.empty(alloc, ExecWire.STDIN_END));
            } catch (RuntimeException ignored) {
                // the stream is gone
            }
        }
    }
}
