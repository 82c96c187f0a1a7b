package io.dpuoffload.agent.host;

import io.dpuoffload.agent.services.HostServices;
import io.dpuoffload.api.spec.ResolvedPair;
import io.dpuoffload.api.status.HostAgentStatus;
import io.dpuoffload.exec.host.ExecServer;
import io.dpuoffload.fs.host.FsServer;
import io.dpuoffload.ipc.IpcNode;
import io.dpuoffload.ipc.wire.IpcFeature;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.Services;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * The host's side of a pair: offload-fs for the profiles' shares, offload-exec for their programs,
 * offload-ipc for their sockets, all behind one listener (the caller adds the channel's security and
 * serves). The allowlists are the profiles' ({@link HostServices}): each share's own, exactly the
 * programs listed, inherited files only under the shares.
 */
public final class HostAgent implements AutoCloseable {
    private final ResolvedPair pair;
    private final FsServer fs;
    private final ExecServer exec;
    private final IpcNode ipc;
    /**
     * The DPU's open connections (its agent's channel and one per share it mounts), and since when
     * at least one has been open; null while none is.
     */
    private final Set<OffloadConnection> open = new HashSet<>(); // its own lock

    private Instant connectedSince; // guarded by open
    /** Told of each connection and disconnection of the DPU (the status keeper). */
    private volatile Runnable onConnectionChange = () -> {};

    private HostAgent(ResolvedPair pair, FsServer fs, ExecServer exec, IpcNode ipc) {
        this.pair = pair;
        this.fs = fs;
        this.exec = exec;
        this.ipc = ipc;
    }

    public static HostAgent create(ResolvedPair pair) throws ErrnoException {
        HostAgent agent = new HostAgent(
                pair,
                new FsServer(HostServices.fs(pair), pair.resumeWithin()),
                new ExecServer(HostServices.programs(pair), HostServices.fileDirectories(pair))
                        .reapOrphans()
                        .keepDetachedRunsFor(pair.keepRunsFor())
                        .allowBridges(java.util.Set.copyOf(pair.spec().host().bridges())),
                new IpcNode(HostServices.ipc(pair))
                        .allowBridges(java.util.Set.copyOf(pair.spec().host().bridges())));
        try {
            makeShareDirectories(pair);
            // the daemons' sockets: the host listens at their paths, in directories it may not have
            for (Path socket : HostServices.daemonSockets(pair)) {
                Files.createDirectories(socket.getParent());
            }
            agent.ipc.start();
            return agent;
        } catch (ErrnoException | RuntimeException e) {
            agent.close();
            throw e;
        } catch (IOException e) {
            agent.close();
            throw new ErrnoException(
                    "make the shares' directories and those of the daemons' sockets: " + e.getMessage(), Errno.EIO);
        }
    }

    /**
     * Makes each share's host directory that does not exist yet, as a daemon would make its own
     * state directory (containerd's under /run are gone after every boot): the DPU's mount of a
     * missing directory would fail. Traversable but not listable by others, as containerd makes them.
     */
    private static void makeShareDirectories(ResolvedPair pair) throws IOException {
        for (var share : pair.shares()) {
            if (!Files.exists(share.hostPath())) {
                Files.createDirectories(
                        share.hostPath(),
                        java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                                java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x")));
            }
        }
    }

    /**
     * As {@link #create(ResolvedPair)} for an agent that sees the node's {@code /} at {@code
     * nodeRoot} (a pod): the served directories are shown at their own paths first ({@link
     * NodeDirectories}) and the programs start in the node's root. {@code /} is the node itself.
     */
    public static HostAgent create(ResolvedPair pair, Path nodeRoot) throws ErrnoException, IOException {
        if (nodeRoot.equals(Path.of("/"))) {
            return create(pair);
        }
        NodeDirectories.show(nodeRoot, Path.of("/"), HostServices.nodeDirectories(pair));
        HostAgent agent = create(pair);
        try {
            agent.exec.startProgramsIn(nodeRoot);
            return agent;
        } catch (ErrnoException | RuntimeException e) {
            agent.close();
            throw e;
        }
    }

    public Services.Builder register(Services.Builder services) {
        return ipc.register(exec.register(fs.register(services)));
    }

    /**
     * Tell it each new connection from the DPU. offload-ipc answers on the latest of those that
     * carry it: the DPU agent's own channel, not a share's (each share has a connection of its own,
     * with no ipc on the DPU's side: a host-side connect sent there would find no handler, and the
     * instance notice drew a warning on every share's connection).
     */
    public void connected(OffloadConnection connection) {
        if (connection.offers(IpcFeature.IPC)) {
            ipc.connected(connection);
        }
        synchronized (open) {
            if (open.isEmpty()) {
                connectedSince = Instant.now();
            }
            open.add(connection);
        }
        onConnectionChange.run();
        connection.closeFuture().whenComplete((reason, failure) -> {
            synchronized (open) {
                open.remove(connection);
                if (open.isEmpty()) {
                    connectedSince = null;
                }
            }
            onConnectionChange.run();
        });
    }

    /** Runs {@code action} at each connection and disconnection of the DPU, on the channel's threads. */
    public void onConnectionChange(Runnable action) {
        onConnectionChange = action;
    }

    /** What it serves and holds now, for {@code offloadctl agent status --role host}. */
    public HostAgentStatus status(String listen) {
        Instant since;
        synchronized (open) {
            since = connectedSince;
        }
        return new HostAgentStatus(
                pair.name(),
                pair.hostNode(),
                listen,
                Instant.now(),
                pair.dpuNode(),
                since,
                pair.shares().stream()
                        .map(share -> new HostAgentStatus.Share(
                                share.name(), share.hostPath(), Files.isDirectory(share.hostPath())))
                        .toList(),
                HostServices.programs(pair).stream().sorted().map(Path::of).toList(),
                fs.sessionCount(),
                exec.runningCount(),
                ipc.activeConnections());
    }

    @Override
    public void close() {
        ipc.close();
        exec.close();
        fs.close();
    }
}
