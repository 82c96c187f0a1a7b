package io.dpuoffload.exec.host;

import io.dpuoffload.exec.wire.ExecRequest;
import io.dpuoffload.exec.wire.ExecWire;
import io.dpuoffload.ipc.FdCarrier;
import io.dpuoffload.ipc.IpcAllowlist;
import io.dpuoffload.ipc.config.PeerPaths;
import io.dpuoffload.ipc.wire.IpcWire;
import io.dpuoffload.ipc.wire.Records;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Pidfds;
import io.dpuoffload.transport.RequestContext;
import io.dpuoffload.transport.Services;
import io.dpuoffload.transport.mux.ByteStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host side of offload-exec: runs the programs that clients on the DPU ask for, if their exact
 * path is allowed (deny by default; each refusal is an audit line), and relays each one's stdio,
 * signals and exit over its stream.
 */
public final class ExecServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExecServer.class);
    private static final Logger audit = LoggerFactory.getLogger("dpuoffload.audit");

    /** The shell's statuses for "cannot execute" and "not found". */
    static final int CANNOT_EXECUTE = 126;

    static final int NOT_FOUND = 127;

    /** What a client that comes back for a run no longer here exits with (as ssh for a lost host). */
    static final int GONE = 255;

    /**
     * How long a durable run waits for a client after its connection was lost: long enough for a
     * DPU agent's upgrade or crash and restart, short enough that a DPU that never comes back does
     * not leave its VMs running unmanaged for long.
     */
    public static final java.time.Duration DEFAULT_DETACHED_GRACE = java.time.Duration.ofMinutes(10);

    /**
     * Programs run at once for all clients; a start beyond it is refused (126, with the reason).
     * Each run holds three relay threads, one waiting for its exit and about eight descriptors: 1,024
     * runs stay within a host's default thread and descriptor limits, and far above what a host's
     * daemons start (a VM's QEMU, a container's shim). A gateway admits as many (ExecGateway.MAX_RUNS).
     */
    public static final int MAX_RUNS = 1024;

    private volatile int maxRuns = MAX_RUNS;
    private volatile java.util.concurrent.Semaphore runs = new java.util.concurrent.Semaphore(MAX_RUNS);

    private final Set<String> allowedPrograms;
    private final Spawner spawner;
    private final RunCgroups cgroups = RunCgroups.discover();

    private final FdCarrier inheritedFds;
    private final HostPidCalls pidCalls = new HostPidCalls(cgroups);
    private final HostConsoles consoles = new HostConsoles(pidCalls);
    /** Held from a spawn until its pid is recorded, so the reaper never takes a run's own program. */
    private final Object spawning = new Object();
    /** Reaps the runs' orphans once {@link #reapOrphans} is called (a process-wide role). */
    private volatile java.util.Optional<io.dpuoffload.linux.OrphanReaper> reaper = java.util.Optional.empty();

    private volatile DetachedRuns detachedRuns = new DetachedRuns(DEFAULT_DETACHED_GRACE);

    /** A server that runs {@code allowedPrograms}; no inherited regular file may be opened again. */
    public ExecServer(Set<String> allowedPrograms) throws ErrnoException {
        this(allowedPrograms, List.of());
    }

    /**
     * @param fileDirectories where a regular file a program inherits from its DPU parent may be
     *     opened again here (by the same path, flags and offset)
     */
    public ExecServer(Set<String> allowedPrograms, List<String> fileDirectories) throws ErrnoException {
        this.allowedPrograms = Set.copyOf(allowedPrograms);
        this.spawner = new Spawner();
        // The host only receives descriptors: its relays' streams are opened by the DPU side.
        this.inheritedFds = new FdCarrier(
                ExecWire.INHERITED_FD,
                () -> null,
                new PeerPaths(List.of()),
                new IpcAllowlist(fileDirectories),
                () -> {},
                () -> {});
    }

    /**
     * Programs start chrooted into {@code nodeRoot}, the node's {@code /} as an agent in a pod sees
     * it, so that they are the node's programs with its libraries and devices; before the server
     * serves. The allowlist, working directories and paths in argv are the node's, as before.
     *
     * @throws IllegalArgumentException when {@code nodeRoot} does not look like a root (no usr/)
     */
    public ExecServer startProgramsIn(java.nio.file.Path nodeRoot) throws ErrnoException {
        spawner.startProgramsIn(nodeRoot);
        consoles.terminalsUnder(nodeRoot);
        return this;
    }

    /**
     * Lets the TAP interfaces programs inherit (a VM's NICs, made here for the DPU's) join {@code
     * bridges}; none may by default.
     */
    public ExecServer allowBridges(Set<String> bridges) {
        inheritedFds.allowBridges(bridges);
        return this;
    }

    /** How long a durable run whose client's connection was lost waits for a client to take it over. */
    public ExecServer keepDetachedRunsFor(java.time.Duration grace) {
        detachedRuns = new DetachedRuns(grace);
        return this;
    }

    /** Runs at once other than {@link #MAX_RUNS} (a smaller host; a test); before the server serves. */
    public ExecServer limitRunsTo(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("the run limit must be at least 1: " + max);
        }
        maxRuns = max;
        runs = new java.util.concurrent.Semaphore(max);
        return this;
    }

    /** Programs running now for clients (each admitted run until it ends). */
    public int runningCount() {
        return maxRuns - runs.availablePermits();
    }

    /** Whether descendants that leave a program's process group are followed (a cgroup per run). */
    public boolean followsDescendants() {
        return cgroups.available();
    }

    public Services.Builder register(Services.Builder services) {
        return services.onStream(ExecWire.EXEC, this::exec)
                .onStream(ExecWire.REATTACH, this::reattach)
                .onRequest(ExecWire.PID_CALL, pidCalls::handle)
                .onStream(ExecWire.CONSOLE, (context, stream, header) -> consoles.open(context, stream, header))
                .onStream(ExecWire.INHERITED_FD, (context, stream, header) -> {
                    try {
                        inheritedFds.arrived(IpcWire.readPassedFdHeader(header), stream);
                    } catch (IllegalArgumentException e) {
                        stream.cancel(e.getMessage());
                    }
                });
    }

    private void exec(RequestContext context, ByteStream stream, ByteBuf header) throws InterruptedException {
        ExecRequest request;
        try {
            request = ExecRequest.decode(header);
        } catch (IllegalArgumentException e) {
            stream.cancel(e.getMessage());
            return;
        }
        String program = request.programName();
        String description = "exec " + program + " for " + context.peer();
        if (!allowedPrograms.contains(program)) {
            audit.warn("denied peer={} op=exec program={} (not in the allowed programs)", context.peer(), program);
            refuse(
                    stream,
                    CANNOT_EXECUTE,
                    "offload-exec: " + program + " is not allowed on this host "
                            + "(the host's exec allowlist names exact paths; add it there)");
            closeAll(inherit(request, stream, description).fds); // ends the DPU side's relays
            return;
        }
        java.util.concurrent.Semaphore admitted = runs;
        if (!admitted.tryAcquire()) {
            int limit = maxRuns;
            log.warn("{}: refused: {} programs run already (the host's run limit)", description, limit);
            refuse(
                    stream,
                    CANNOT_EXECUTE,
                    "offload-exec: the host runs " + limit + " programs already (its limit); try again later");
            closeAll(inherit(request, stream, description).fds);
            return;
        }
        try {
            start(context, stream, request, description);
        } finally {
            admitted.release();
        }
    }

    /** Starts an allowed and admitted program and relays it until its exit is sent. */
    private void start(RequestContext context, ByteStream stream, ExecRequest request, String description)
            throws InterruptedException {
        String program = request.programName();
        RunStdio stdio;
        try {
            stdio = request.terminal() == null ? RunStdio.pipes() : RunStdio.terminal(request.terminal());
        } catch (ErrnoException e) {
            refuse(stream, NOT_FOUND, "offload-exec: cannot make the program's stdio on the host: " + e.getMessage());
            return;
        }
        Inherited inherited = inherit(request, stream, description);
        int pid;
        var cgroup = cgroups.prepare();
        try {
            synchronized (spawning) {
                pid = spawner.spawn(request, stdio, cgroup, inherited.targets, inherited.fds);
                pidCalls.started(pid);
            }
        } catch (Spawner.SpawnFailure failure) {
            cgroup.ifPresent(RunCgroups.Prepared::abandon);
            stdio.closeAll();
            closeAll(inherited.fds);
            String why = failure.inChdir
                    ? "the working directory " + new String(request.cwd(), StandardCharsets.UTF_8)
                            + " does not exist on the host (" + Errno.name(failure.cause.errno()) + ")"
                    : program + ": " + Errno.name(failure.cause.errno());
            int status = !failure.inChdir && failure.cause.errno() == Errno.EACCES ? CANNOT_EXECUTE : NOT_FOUND;
            refuse(stream, status, "offload-exec: " + why);
            return;
        }
        stdio.closeChildEnds();
        closeAll(inherited.fds); // the program has them now; ours would keep its pipes from ending
        int pidfd;
        try {
            pidfd = Pidfds.open(pid);
        } catch (ErrnoException e) {
            log.error("{}: pidfd_open({}) failed: {}", description, pid, e.getMessage());
            stdio.closeAll();
            pidCalls.ended(pid);
            return;
        }
        var group = cgroup.map(RunCgroups.Prepared::group);
        log.info("{}: started pid {}{}", description, pid, request.durable() ? " (durable)" : "");
        DetachedRuns runs = detachedRuns;
        byte[] token = request.durable() ? runs.newToken() : null;
        try {
            new RemoteProcess(
                            pid,
                            pidfd,
                            group,
                            stream,
                            description,
                            token,
                            runs,
                            context.peer().toString())
                    .relay(stdio);
        } finally {
            pidCalls.ended(pid);
        }
    }

    /** A client takes over a durable run (its DPU agent restarted): the header is the run's token. */
    private void reattach(RequestContext context, ByteStream stream, ByteBuf header) {
        if (header.readableBytes() != ExecWire.TOKEN_BYTES) {
            stream.cancel("a reattach names a run by its " + ExecWire.TOKEN_BYTES + "-byte token");
            return;
        }
        byte[] token = new byte[ExecWire.TOKEN_BYTES];
        header.readBytes(token);
        DetachedRuns runs = detachedRuns;
        RemoteProcess run = runs.take(token, context.peer().toString());
        if (run == null || !run.reattach(stream)) {
            log.info("exec for {}: a client came back for a run that is no longer here", context.peer());
            refuse(
                    stream,
                    GONE,
                    "offload-exec: the run is no longer on the host: no client took it over within " + runs.grace()
                            + ", or the host's exec server restarted");
        }
    }

    /** The descriptors made here for the program's inherited ones, at the numbers it expects. */
    private record Inherited(int[] targets, int[] fds) {}

    /**
     * Makes each inherited descriptor here (a file opened again, a pipe, socket or listener whose
     * other end is relayed from the DPU). One that cannot be made is left out, and the client's
     * stderr says so, as a local parent's program would see it missing.
     */
    private Inherited inherit(ExecRequest request, ByteStream stream, String description) {
        List<Integer> targets = new ArrayList<>();
        List<Integer> fds = new ArrayList<>();
        for (ExecRequest.Inherited fd : request.inherited()) {
            int made;
            try {
                made = inheritedFds.make(fd.fd(), description + " fd " + fd.number());
            } catch (java.io.IOException e) {
                log.warn("{}: descriptor {} could not be made here: {}", description, fd.number(), e.getMessage());
                stream.write(Records.record(
                        ByteBufAllocator.DEFAULT,
                        ExecWire.STDERR,
                        Unpooled.copiedBuffer(
                                "offload-exec: descriptor " + fd.number() + " could not be made on the host ("
                                        + e.getMessage() + "); the program starts without it\n",
                                StandardCharsets.UTF_8)));
                continue;
            }
            targets.add(fd.number());
            fds.add(made);
        }
        return new Inherited(
                targets.stream().mapToInt(Integer::intValue).toArray(),
                fds.stream().mapToInt(Integer::intValue).toArray());
    }

    private static void refuse(ByteStream stream, int status, String message) {
        stream.write(ExecWire.refused(ByteBufAllocator.DEFAULT, status, message + "\n"));
        stream.finish();
    }

    private static void closeAll(int[]... pipes) {
        for (int[] pipe : pipes) {
            for (int fd : pipe) {
                FileCalls.closeQuietly(fd);
            }
        }
    }

    /**
     * Makes this process a child subreaper that reaps the runs' orphans (any zombie child that is
     * not a run's program: a killed run's cgroup may be gone by the time its zombie is looked at,
     * and a child the JVM waits for itself never stays a zombie for the reaper's two looks). A
     * daemonized descendant killed by its host pid is then gone (ESRCH) at once, where init would
     * leave it a zombie (in a PID namespace whose init is this server). For a server that is its
     * process's purpose ({@code exec serve}, the host agent); a JVM that embeds one among other
     * work keeps the kernel's default.
     */
    public ExecServer reapOrphans() {
        if (reaper.isEmpty()) {
            reaper = io.dpuoffload.linux.OrphanReaper.start(pid -> !pidCalls.isStarted(pid), spawning);
        }
        return this;
    }

    @Override
    public void close() {
        reaper.ifPresent(io.dpuoffload.linux.OrphanReaper::close);
        spawner.close();
        cgroups.close();
    }
}
