package io.dpuoffload.exec.gateway;

import io.dpuoffload.exec.client.RemoteRun;
import io.dpuoffload.exec.client.StartTimedOutException;
import io.dpuoffload.exec.threads.RunThreads;
import io.dpuoffload.exec.wire.ExecRequest;
import io.dpuoffload.ipc.FdCarrier;
import io.dpuoffload.ipc.wire.PassedFds;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.EventFd;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Pidfds;
import io.dpuoffload.linux.Poll;
import io.dpuoffload.linux.ProcessExits;
import io.dpuoffload.linux.Terminals;
import io.dpuoffload.linux.UnixSockets;
import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.TransportException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One rexec client, from its request to its answer: takes its stdio with pidfd_getfd (the client
 * keeps them open while it waits, so they are there to take), runs the program on the host, relays
 * stdio and the signals the client forwards, and answers with the exit. The client gone (killed,
 * even by SIGKILL) cancels the run, and the host then kills the program and its descendants.
 */
final class GatewaySession {
    private static final Logger log = LoggerFactory.getLogger(GatewaySession.class);

    /** A client sends its whole request at once; one that stalls longer is not a working rexec. */
    private static final int REQUEST_TIMEOUT_MILLIS = 10_000;

    /** What rexec exits with when the host cannot be reached (as ssh does). */
    static final int LOST = 255;

    private static final byte EXITED = 0;
    private static final byte KILLED = 1;
    /** The program runs on the host: then the run's token, the reattach socket and how long to try it. */
    private static final byte RUNNING = 2;

    private final int client;
    private final Supplier<OffloadConnection> host;
    private final List<String> dropEnvironment;

    /** The client's terminal (its stdin), when it has one; -1 otherwise. */
    private volatile int terminal = -1;

    /** Set once the program's end is known, before the answer goes to the client. */
    private volatile boolean finished;

    private final List<java.util.concurrent.Future<?>> helpers = new java.util.ArrayList<>(2);

    /** The helpers wake at once on the eventfd; longer means a bug, reported rather than waited on. */
    private static final java.time.Duration HELPERS_STOP = java.time.Duration.ofSeconds(5);

    private final FdCarrier inheritedFds;
    private final HostPids hostPids;
    private final Durability durability;
    /** A client back for its run: the run's token; null for a client with a new request. */
    private final byte[] comingBack;
    /** The rexec client's DPU pid, once known: the program's stand-in here. */
    private int standIn = -1;

    private final List<PassedFds.PassedFd> carried = new java.util.ArrayList<>();

    /** How long the host may take to start the program (RemoteRun.START_BOUND unless a test says). */
    private final java.time.Duration startBound;

    /**
     * Whether runs outlive this gateway: where clients come back ({@link ReattachPoint}) and for how
     * long they try; {@link #NONE} when a lost gateway ends its runs.
     */
    record Durability(String reattachName, java.time.Duration window) {
        static final Durability NONE = new Durability("", java.time.Duration.ZERO);

        boolean durable() {
            return !window.isZero();
        }
    }

    GatewaySession(
            int client,
            byte[] comingBack,
            Supplier<OffloadConnection> host,
            List<String> dropEnvironment,
            FdCarrier inheritedFds,
            HostPids hostPids,
            Durability durability,
            java.time.Duration startBound) {
        this.startBound = startBound;
        this.comingBack = comingBack;
        this.inheritedFds = inheritedFds;
        this.hostPids = hostPids;
        this.client = client;
        this.host = host;
        this.dropEnvironment = dropEnvironment;
        this.durability = durability;
    }

    void run() {
        int pidfd = -1;
        int cancel = -1;
        int[] stdio = {-1, -1, -1};
        String who = "rexec client";
        try {
            GatewayRequest request = comingBack == null ? readRequest() : null;
            int pid = UnixSockets.peerPid(client);
            standIn = pid;
            hostPids.standInStarted(pid);
            who = "rexec pid " + pid + " ("
                    + (request == null ? "back for its run" : request.exec().programName()) + ")";
            pidfd = Pidfds.open(pid);
            int clientSocket = request == null ? -1 : request.clientSocketFd();
            for (int fd = 0; fd < stdio.length; fd++) {
                stdio[fd] = fd == clientSocket ? -1 : copyOrNone(pidfd, fd);
            }
            cancel = EventFd.eventfd(0, EventFd.EFD_CLOEXEC);
            InputStream in = stdio[0] >= 0 ? ClientDescriptor.input(stdio[0], cancel) : InputStream.nullInputStream();
            OutputStream out =
                    stdio[1] >= 0 ? ClientDescriptor.output(stdio[1], cancel) : OutputStream.nullOutputStream();
            OutputStream err =
                    stdio[2] >= 0 ? ClientDescriptor.output(stdio[2], cancel) : OutputStream.nullOutputStream();
            if (stdio[0] >= 0 && Terminals.isTerminal(stdio[0])) {
                terminal = stdio[0];
            }
            RemoteRun run;
            try {
                run = request == null
                        ? RemoteRun.reattach(host.get(), comingBack, startBound)
                        : open(request, pid, pidfd, err, who);
            } catch (TransportException e) {
                if (request == null) {
                    // the host may still keep the run: the client, whose socket we close, tries again
                    log.warn(
                            "exec gateway: {}: cannot reach the host ({}); the client will try again",
                            who,
                            e.getMessage());
                    return;
                }
                tell(err, "rexec: cannot reach the host: " + e.getMessage());
                answer(EXITED, LOST);
                return;
            }
            int standInPid = standIn;
            run.onHostPids(hostPid -> {
                hostPids.add(hostPid);
                hostPids.standInRuns(standInPid, hostPid);
            });
            run.onStarted(this::running);
            SignalRelay signals = new SignalRelay(client, cancel, run, terminal, who, () -> finished, this::send);
            helpers.add(RunThreads.start("rexec-stdin", () -> run.sendStdin(in)));
            helpers.add(RunThreads.start("rexec-signals", signals::run));
            try {
                ProcessExits.Exit exit = run.await(out, err);
                hostPids.remove(run.hostPid()); // reaped on the host; descendants that outlive it stay
                finished = true;
                answer(exit.signalled() ? KILLED : EXITED, exit.value());
            } catch (StartTimedOutException e) {
                log.error("exec gateway: {}: {}", who, e.getMessage());
                tell(err, "rexec: " + e.getMessage());
                answer(EXITED, LOST);
            } catch (TransportException | IOException e) {
                if (durability.durable() && e instanceof io.dpuoffload.transport.ConnectionLostException) {
                    // the host keeps the run for a while: the client comes back through the next gateway
                    log.warn("exec gateway: {}: lost the host ({}); the client will come back", who, e.getMessage());
                    signals.hostLost();
                    return;
                }
                tell(err, "rexec: lost the host while the program ran: " + e.getMessage());
                answer(EXITED, LOST);
            } finally {
                closeQuietly(out); // our own non-blocking opens of the client's pipes, if any
                closeQuietly(err);
            }
        } catch (IllegalArgumentException e) {
            log.warn("exec gateway: refused a request: {}", e.getMessage());
        } catch (ErrnoException e) {
            log.warn("exec gateway: {}: {}", who, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (cancel >= 0) {
                stopHelpers(cancel);
            }
            for (int fd : stdio) {
                FileCalls.closeQuietly(fd);
            }
            carried.forEach(inheritedFds::stopListening);
            hostPids.standInEnded(standIn);
            FileCalls.closeQuietly(pidfd);
            FileCalls.closeQuietly(client);
        }
    }

    /** Asks the host to run the client's request, with the descriptors it inherits (taken from it). */
    private RemoteRun open(GatewayRequest request, int pid, int pidfd, OutputStream err, String who)
            throws ErrnoException {
        ExecRequest exec = request.exec()
                .withoutEnvironment(dropEnvironment)
                .withInherited(inherit(pid, pidfd, request.clientSocketFd(), err, who));
        if (terminal >= 0) {
            exec = exec.withTerminal(Terminals.windowSize(terminal));
        }
        return RemoteRun.open(host.get(), durability.durable() ? exec.asDurable() : exec, startBound);
    }

    /**
     * The program runs on the host: the host's listeners for the client's stand in for ours from now
     * on (so ours close, and the client closes its copies of everything above stdio), and a durable
     * run's client learns how to come back for it.
     */
    private void running(byte[] token) {
        carried.forEach(inheritedFds::handOverListener);
        byte[] name = durability.reattachName().getBytes(StandardCharsets.UTF_8);
        ByteBuffer message = ByteBuffer.allocate(1 + 1 + token.length + 1 + name.length + 4);
        message.put(RUNNING)
                .put((byte) token.length)
                .put(token)
                .put((byte) name.length)
                .put(name);
        message.putInt(token.length == 0 ? 0 : (int) durability.window().toSeconds());
        send(message.array());
    }

    /**
     * Wakes the stdin pump and the signal reader through {@code cancel} and waits for them, so that
     * no thread still polls a descriptor we are about to close (its number could be reused).
     */
    private void stopHelpers(int cancel) {
        try {
            EventFd.add(cancel, 1);
            for (var helper : helpers) {
                try {
                    helper.get(HELPERS_STOP.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    log.warn("exec gateway: a run's helper thread did not stop within {}", HELPERS_STOP);
                    return; // leave the descriptors open rather than pull them from under it
                } catch (java.util.concurrent.ExecutionException e) {
                    // it failed, and RunThreads logged why; it is not running
                }
            }
            FileCalls.closeQuietly(cancel);
        } catch (ErrnoException e) {
            log.warn("exec gateway: cannot wake the run's helper threads: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The client's descriptors above 2 (bar its socket to us), as the program inherits them; those
     * that cannot be carried are named on the client's stderr and left out.
     */
    private List<ExecRequest.Inherited> inherit(int pid, int pidfd, int clientSocket, OutputStream err, String who)
            throws ErrnoException {
        List<ExecRequest.Inherited> inherited = new java.util.ArrayList<>();
        for (int number : openDescriptors(pid)) {
            if (number <= 2 || number == clientSocket) {
                continue;
            }
            int copy = copyOrNone(pidfd, number);
            if (copy < 0) {
                continue; // closed meanwhile
            }
            String what = describe(pid, number);
            if (inheritedFds.isOwnFile(copy)) {
                // libvirt leaves QEMU the pid file it locked for it, under the root's /run: the host
                // could never open it, and nobody there needs it (docs/offload-exec.md). Nothing for
                // an operator to do, so no warning, and no line in the program's log.
                log.debug(
                        "exec gateway: {}: fd {} ({}) is a file of the DPU's own, outside every shared directory;"
                                + " not carried, the program starts without it",
                        who,
                        number,
                        what);
                FileCalls.closeQuietly(copy);
                continue;
            }
            List<PassedFds.PassedFd> passed = inheritedFds.outgoing(new int[] {copy}, who + " fd " + number);
            if (passed == null) {
                tell(
                        err,
                        "rexec: descriptor " + number + " (" + what + ") cannot be carried to the host;"
                                + " the program starts without it");
                continue;
            }
            carried.addAll(passed);
            inherited.add(new ExecRequest.Inherited(number, passed.getFirst()));
        }
        return inherited;
    }

    /** The client's open descriptors, from /proc (the gateway's, which sees the client's pid). */
    private static List<Integer> openDescriptors(int pid) throws ErrnoException {
        try (var entries = java.nio.file.Files.list(java.nio.file.Path.of("/proc", Integer.toString(pid), "fd"))) {
            return entries.map(p -> Integer.parseInt(p.getFileName().toString()))
                    .sorted()
                    .toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new ErrnoException("list /proc/" + pid + "/fd", Errno.ESRCH);
        }
    }

    private static String describe(int pid, int fd) {
        try {
            return java.nio.file.Files.readSymbolicLink(
                            java.nio.file.Path.of("/proc", Integer.toString(pid), "fd", Integer.toString(fd)))
                    .toString();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The client's descriptor {@code fd}, or -1 if it has none there (a daemon may close its stdin). */
    private static int copyOrNone(int pidfd, int fd) throws ErrnoException {
        try {
            return Pidfds.copyFd(pidfd, fd);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EBADF) {
                return -1;
            }
            throw e;
        }
    }

    private GatewayRequest readRequest() throws ErrnoException {
        long deadline = System.nanoTime() + REQUEST_TIMEOUT_MILLIS * 1_000_000L;
        ByteBuffer length = readFully(4, deadline);
        int body = length.getInt();
        if (body < 0 || body > GatewayRequest.MAX_BYTES) {
            throw new IllegalArgumentException(
                    "a request of " + body + " bytes (at most " + GatewayRequest.MAX_BYTES + ")");
        }
        return GatewayRequest.decode(readFully(body, deadline));
    }

    private ByteBuffer readFully(int length, long deadline) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(Math.max(length, 1));
            long have = 0;
            while (have < length) {
                int left = (int) ((deadline - System.nanoTime()) / 1_000_000L);
                if (left <= 0 || Poll.poll(client, Poll.POLLIN, left) == 0) {
                    throw new IllegalArgumentException("the client sent no whole request within 10 s");
                }
                long n = UnixSockets.recv(client, buffer.asSlice(have), length - have, 0);
                if (n == 0) {
                    throw new IllegalArgumentException("the client left before sending its request");
                }
                if (n > 0) {
                    have += n;
                } else if (n != -Errno.EAGAIN) {
                    throw new ErrnoException("recv", (int) -n);
                }
            }
            return ByteBuffer.wrap(buffer.asSlice(0, length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
    }

    private void answer(byte kind, int value) {
        send(ByteBuffer.allocate(5).put(kind).putInt(value).array());
    }

    /** A few bytes into an idle socket's buffer: sent whole, or the client is gone. */
    private void send(byte[] message) {
        try (Arena arena = Arena.ofConfined()) {
            UnixSockets.send(
                    client, arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, message), message.length);
        }
    }

    private static void closeQuietly(OutputStream stream) {
        try {
            stream.close();
        } catch (IOException ignored) {
            // ours close without failing; the null stream too
        }
    }

    private static void tell(OutputStream err, String message) {
        try {
            err.write((message + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // the client's stderr is gone too; its exit status still says it
        }
    }
}
