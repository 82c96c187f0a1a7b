package io.dpuoffload.exec.gateway;

import io.dpuoffload.exec.threads.RunThreads;
import io.dpuoffload.exec.wire.ExecWire;
import io.dpuoffload.ipc.FdCarrier;
import io.dpuoffload.ipc.IpcAllowlist;
import io.dpuoffload.ipc.config.PeerPaths;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.Poll;
import io.dpuoffload.linux.SocketName;
import io.dpuoffload.linux.UnixSockets;
import io.dpuoffload.transport.OffloadConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DPU side of offload-exec for {@code rexec} clients: a Unix socket where each client hands over
 * its argv, environment, working directory and umask; we take its descriptors ourselves, run the
 * program on the host over the node's open connection, and answer with how it ended. Keeping the
 * connection here is what makes a run cheap: no JVM and no TLS handshake per program started.
 *
 * <p>The socket is created mode 0600: whoever may connect may run every program the host allows.
 *
 * <p>A gateway started {@link #startDurable durable} lets its runs outlive it: the host keeps a run
 * whose connection is lost for its grace period, and the run's client, which stays, comes back
 * through the next gateway at the same path ({@link ReattachPoint}). A DPU agent's restart then
 * leaves its VMs running.
 */
public final class ExecGateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExecGateway.class);

    /** Runs at once; more wait in the backlog. Each run holds a few threads and descriptors. */
    static final int MAX_RUNS = 1024;

    private static final int BACKLOG = 128;
    private static final int ACCEPT_POLL_MILLIS = 500;

    private final Path socket;
    private final int listener;
    private final Supplier<OffloadConnection> host;
    private final List<String> dropEnvironment;
    private final FdCarrier inheritedFds;
    private final HostPids hostPids = new HostPids();
    private final Semaphore runs = new Semaphore(MAX_RUNS);
    private final Thread acceptor;
    private volatile boolean closed;
    private final GatewaySession.Durability durability;
    private final java.util.Optional<ReattachPoint> reattach;
    private volatile java.time.Duration startBound = io.dpuoffload.exec.client.RemoteRun.START_BOUND;

    private ExecGateway(
            Path socket,
            int listener,
            Supplier<OffloadConnection> host,
            List<String> dropEnvironment,
            java.time.Duration window,
            Placement placement)
            throws ErrnoException {
        this.socket = socket;
        this.listener = listener;
        this.host = host;
        this.dropEnvironment = dropEnvironment;
        // Sending side only: the host opens nothing towards us, so no allowlist judges anything here.
        this.inheritedFds = new FdCarrier(
                        ExecWire.INHERITED_FD,
                        host,
                        placement.shared(),
                        new IpcAllowlist(List.of()),
                        () -> {},
                        () -> {})
                .bindListenersOnPeer(placement::hostPathOfBoundName);
        this.durability = window.isZero()
                ? GatewaySession.Durability.NONE
                : new GatewaySession.Durability(ReattachPoint.nameFor(socket), window);
        // Last: its thread calls back into this gateway.
        this.reattach = durability.durable()
                ? java.util.Optional.of(ReattachPoint.open(socket, this::comeBack))
                : java.util.Optional.empty();
        this.acceptor = Thread.ofPlatform().name("exec-gateway").start(this::acceptLoop);
    }

    /**
     * Listens at {@code socket} (a stale socket file there is replaced) and runs what clients ask on
     * the host reached through {@code host}, without the environment variables in {@code
     * dropEnvironment} (and never DPUO_EXEC_SOCKET, which only means something here).
     */
    public static ExecGateway start(Path socket, Supplier<OffloadConnection> host, List<String> dropEnvironment)
            throws ErrnoException, java.io.IOException {
        return start(socket, host, dropEnvironment, java.time.Duration.ZERO, Placement.NONE);
    }

    /**
     * Where the clients' files are on the host: {@code shared} maps the directories the host shares
     * with us (as this process sees them) to their host paths; the clients run in {@code clientRoot},
     * so a socket one binds at /x is {@code clientRoot}/x here. A passed file under a shared
     * directory is opened again at its host path; a passed listener bound there is bound at its host
     * path too, where it is found without us.
     */
    public record Placement(PeerPaths shared, Path clientRoot) {
        static final Placement NONE = new Placement(new PeerPaths(List.of()), Path.of("/"));

        java.util.Optional<String> hostPathOfBoundName(String name) {
            return name.startsWith("/")
                    ? shared.peerPathOf(clientRoot.resolve(name.substring(1)))
                    : java.util.Optional.empty();
        }
    }

    /**
     * As {@link #start}, with runs that outlive this gateway: their clients try to come back for
     * {@code window} (the host's grace period for them).
     */
    public static ExecGateway startDurable(
            Path socket,
            Supplier<OffloadConnection> host,
            List<String> dropEnvironment,
            java.time.Duration window,
            Placement placement)
            throws ErrnoException, java.io.IOException {
        if (window.isZero() || window.isNegative()) {
            throw new IllegalArgumentException("a durable gateway's reattach window must be positive: " + window);
        }
        return start(socket, host, dropEnvironment, window, placement);
    }

    private static ExecGateway start(
            Path socket,
            Supplier<OffloadConnection> host,
            List<String> dropEnvironment,
            java.time.Duration window,
            Placement placement)
            throws ErrnoException, java.io.IOException {
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket);
        int fd = UnixSockets.socket(UnixSockets.SOCK_STREAM);
        try {
            // The mode is the gate, so it must never be wider than 0600, whatever the umask.
            Metadata.fchmod(fd, 0600);
            UnixSockets.listen(fd, SocketName.path(socket.toString()), BACKLOG);
        } catch (ErrnoException e) {
            FileCalls.closeQuietly(fd);
            throw e;
        }
        List<String> dropped = new java.util.ArrayList<>(dropEnvironment);
        dropped.add("DPUO_EXEC_SOCKET");
        try {
            return new ExecGateway(socket, fd, host, List.copyOf(dropped), window, placement);
        } catch (ErrnoException e) {
            FileCalls.closeQuietly(fd);
            throw e;
        }
    }

    /**
     * How long the host may take to start a program before the run fails (its client exits 255
     * with the reason); {@link io.dpuoffload.exec.client.RemoteRun#START_BOUND} unless changed here.
     */
    public ExecGateway boundStartsTo(java.time.Duration bound) {
        if (bound.isZero() || bound.isNegative()) {
            throw new IllegalArgumentException("a start bound must be positive: " + bound);
        }
        startBound = bound;
        return this;
    }

    public Path socket() {
        return socket;
    }

    /** The host pids this gateway's runs reported, and the stand-ins of their programs. */
    public HostPids hostPids() {
        return hostPids;
    }

    /**
     * What intercepted programs on this DPU need so that kill and affinity calls on the host pids of
     * this gateway's runs reach the host (give it to {@code InterceptedLauncher}).
     */
    public PidCallForwarder pidCalls() {
        return new PidCallForwarder(hostPids, host);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                if (Poll.poll(listener, Poll.POLLIN, ACCEPT_POLL_MILLIS) == 0) {
                    continue;
                }
            } catch (ErrnoException e) {
                log.error("exec gateway {}: poll failed: {}", socket, e.getMessage());
                return;
            }
            int client = UnixSockets.accept(listener);
            if (client == -Errno.EAGAIN) {
                continue;
            }
            if (client < 0) {
                log.warn("exec gateway {}: accept failed: {}", socket, Errno.name(-client));
                continue;
            }
            serve(client, null);
        }
    }

    /** A client back for its run ({@link ReattachPoint}), with its end of a socket pair. */
    private void comeBack(int client, byte[] token) {
        if (closed) {
            FileCalls.closeQuietly(client);
            return;
        }
        serve(client, token);
    }

    private void serve(int client, byte[] comingBack) {
        runs.acquireUninterruptibly();
        RunThreads.start("exec-gateway-run", () -> {
            try {
                new GatewaySession(
                                client,
                                comingBack,
                                host,
                                dropEnvironment,
                                inheritedFds,
                                hostPids,
                                durability,
                                startBound)
                        .run();
            } finally {
                runs.release();
            }
        });
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        acceptor.join();
        if (reattach.isPresent()) {
            reattach.get().close();
        }
        FileCalls.closeQuietly(listener);
        try {
            Files.deleteIfExists(socket);
        } catch (java.io.IOException e) {
            log.warn("exec gateway: cannot remove {}: {}", socket, e.getMessage());
        }
    }
}
