package io.dpuoffload.agent.dpu;

import io.dpuoffload.agent.plan.MountPlan;
import io.dpuoffload.agent.plan.PlanApplier;
import io.dpuoffload.agent.plan.StepState;
import io.dpuoffload.agent.services.DpuServices;
import io.dpuoffload.api.spec.ResolvedPair;
import io.dpuoffload.api.status.AgentStatus;
import io.dpuoffload.api.status.ChannelStatus;
import io.dpuoffload.api.status.Condition;
import io.dpuoffload.api.status.StatusFile;
import io.dpuoffload.exec.gateway.ExecGateway;
import io.dpuoffload.fs.client.FsMount;
import io.dpuoffload.fs.client.FsMountOptions;
import io.dpuoffload.fs.client.MountReporter;
import io.dpuoffload.fs.wire.FsFeature;
import io.dpuoffload.intercept.InterceptedLauncher;
import io.dpuoffload.intercept.Interceptions;
import io.dpuoffload.ipc.IpcNode;
import io.dpuoffload.ipc.config.PeerPaths;
import io.dpuoffload.ipc.transparent.TransparentConnect;
import io.dpuoffload.ipc.wire.IpcFeature;
import io.dpuoffload.linux.OrphanReaper;
import io.dpuoffload.transport.OffloadClient;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.net.Endpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DPU's side of a pair: builds the offload root (the mount plan, with the host's directories
 * through offload-fs and the exec shims), serves the shims through an exec gateway inside the root,
 * and starts the profiles' daemons in it under interception. {@link #close} takes it all down in
 * reverse: daemons, interception, gateway, mounts.
 */
public final class DpuAgent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DpuAgent.class);
    /** Where rexec's default looks, as seen inside the root. */
    static final Path GATEWAY_IN_ROOT = Path.of("/run/dpu-offload/exec.sock");

    private static final Duration CONNECTION_WAIT = Duration.ofSeconds(10);
    /**
     * The DPU's own /proc as the daemons see it (the plan binds it there): the host /proc's view
     * sends a DPU process's pid there, as a path inside the root.
     */
    static final Path LOCAL_PROC = Path.of("/local_proc");

    private final ResolvedPair pair;
    private final MountPlan plan;
    private final PlanApplier applier;
    /** The shares' mounts, as the plan made them. */
    private final List<FsMount> mounts;

    private volatile OffloadClient client;
    private IpcNode ipc;
    private volatile ExecGateway gateway;
    private InterceptedLauncher launcher;
    private DaemonSupervisor daemons;
    private java.util.Optional<ConsoleMirrors> consoles = java.util.Optional.empty();
    private java.util.Optional<OrphanReaper> reaper = java.util.Optional.empty();
    /** The conditions written last: a condition's transition time stays while its status does. */
    private List<Condition> conditions = List.of();

    private DpuAgent(ResolvedPair pair, MountPlan plan, PlanApplier applier, List<FsMount> mounts) {
        this.pair = pair;
        this.plan = plan;
        this.applier = applier;
        this.mounts = mounts;
    }

    /**
     * Builds the root and starts the daemons; on a failure, undoes what was done and throws.
     *
     * @param transport the channel to the host, secured by the caller
     */
    public static DpuAgent start(ResolvedPair pair, Endpoint host, TransportConfig transport) throws Exception {
        return start(pair, host, transport, Path.of("/"));
    }

    /**
     * As {@link #start(ResolvedPair, Endpoint, TransportConfig)}, with the DPU's own system (its
     * binaries, libraries, /etc, /dev, /proc) taken from {@code nodeRoot}: the node's {@code /} as a
     * pod sees it.
     */
    public static DpuAgent start(ResolvedPair pair, Endpoint host, TransportConfig transport, Path nodeRoot)
            throws Exception {
        ContainerdPreflight.check(pair, nodeRoot);
        MountPlan plan =
                MountPlan.compute(pair.root(), pair.state(), pair.profiles(), MountPlan.DpuSystem.real(nodeRoot));
        TransportConfig fsTransport =
                transport.toBuilder().features(Set.of(FsFeature.FILESYSTEM)).build();
        List<FsMount> mounts = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicReference<DpuAgent> started = new AtomicReference<>();
        Runnable hostIsBack = () -> {
            DpuAgent agent = started.get();
            if (agent != null) {
                agent.hostIsBack();
            }
        };
        PlanApplier applier = new PlanApplier(
                plan,
                share -> {
                    FsMount mount = FsMount.mount(
                            host,
                            fsTransport,
                            share.share().name(),
                            share.target(),
                            FsMountOptions.defaults()
                                    .withLocalProc(LOCAL_PROC)
                                    .withOnConnected(hostIsBack)
                                    .withProgramOfStandIn(pid -> {
                                        DpuAgent agent = started.get();
                                        ExecGateway gateway = agent == null ? null : agent.gateway;
                                        return gateway == null
                                                ? 0
                                                : gateway.hostPids().programOf(pid);
                                    }));
                    mounts.add(mount);
                    MountReporter record =
                            MountReporter.start(mount, host.toString(), "dpu agent of pair " + pair.name());
                    return () -> {
                        record.close();
                        mount.close();
                    };
                },
                pair.state());
        DpuAgent agent = new DpuAgent(pair, plan, applier, mounts);
        started.set(agent);
        try {
            agent.startAll(host, transport);
            return agent;
        } catch (Exception e) {
            agent.close();
            throw e;
        }
    }

    private void startAll(Endpoint host, TransportConfig transport) throws Exception {
        Files.createDirectories(MountPlan.runDirectory(pair.state()));
        // Where daemons lock devices they open (libvirtd's console takes /run/lock/LCK..pts.N).
        Files.createDirectories(MountPlan.runDirectory(pair.state()).resolve("lock"));
        Files.writeString(pidFile(pair.state()), ProcessHandle.current().pid() + "\n");
        try {
            applier.apply();
        } finally {
            writeStatus();
        }
        log.info("offload root {} built ({} steps)", pair.root(), plan.steps().size());
        PeerPaths sockets = DpuServices.socketPaths(pair);
        ipc = new IpcNode(DpuServices.ipc(pair));
        TransportConfig withIpc = transport.toBuilder()
                .features(Set.of(IpcFeature.IPC))
                .services(
                        ipc.register(io.dpuoffload.transport.Services.builder()).build())
                .build();
        client = OffloadClient.start(host, withIpc, connection -> {
            ipc.connected(connection);
            channelChanged(connection);
            // Off this client's lock: a share's connection may be telling this one the same.
            Thread.ofVirtual().name("channel-connected").start(this::hostIsBack);
        });
        client.connection(CONNECTION_WAIT);
        ipc.start();
        // Durable: a VM's QEMU outlives this agent (its restart, an upgrade); the shims come back to
        // the next agent's gateway, and the host keeps their runs meanwhile.
        gateway = ExecGateway.startDurable(
                MountPlan.inRoot(pair.root(), GATEWAY_IN_ROOT),
                () -> client.connection(CONNECTION_WAIT),
                List.of(),
                pair.keepRunsFor(),
                new ExecGateway.Placement(DpuServices.sharedPaths(pair), pair.root()));
        if (runsLibvirtd()) {
            ExecGateway own = gateway;
            consoles = java.util.Optional.of(
                    ConsoleMirrors.start(pair.root(), MountPlan.runDirectory(pair.state()), own::hostPids, client));
        }
        Interceptions pidCalls = Interceptions.none().withPidCalls(gateway.pidCalls());
        launcher = InterceptedLauncher.start(
                sockets.isEmpty() ? pidCalls : pidCalls.withConnect(new TransparentConnect(ipc, sockets)));
        daemons = new DaemonSupervisor(
                pair.root(), launcher, Map.of("DPUO_EXEC_SOCKET", GATEWAY_IN_ROOT.toString()), this::writeStatus);
        // libvirtd daemonizes each QEMU's shim: when it ends, someone must reap it, or libvirtd's
        // kill(pid, 0) keeps finding it. Where the agent is init (a container), that is the agent.
        DaemonSupervisor supervisor = daemons;
        reaper = OrphanReaper.start(pid -> !supervisor.isDaemon(pid), daemons.launching);
        daemons.startInOrder(pair.profiles().stream()
                .flatMap(profile -> profile.daemons().stream())
                .toList());
        writeStatus();
    }

    /** Whether a profile runs libvirtd, whose VMs' consoles are then mirrored ({@link ConsoleMirrors}). */
    private boolean runsLibvirtd() {
        return pair.profiles().stream()
                .flatMap(profile -> profile.daemons().stream())
                .anyMatch(daemon -> daemon.name().equals("libvirtd"));
    }

    /** The root's steps, the daemons, the channel and the conditions that sum them up. */
    public synchronized AgentStatus status() {
        AgentStatus status = StatusReport.of(
                pair,
                applier.states(),
                daemons == null ? List.of() : daemons.states(),
                pair.profiles().stream().mapToInt(p -> p.daemons().size()).sum(),
                client == null ? null : new ChannelStatus(pair.hostEndpoint(), client.isConnected()),
                conditions,
                Instant.now());
        conditions = status.conditions();
        return status;
    }

    /**
     * The status's channel follows the connection: written when one comes up and when it closes,
     * off the event loop that tells (the write is file I/O).
     */
    private void channelChanged(io.dpuoffload.transport.OffloadConnection connection) {
        Thread.ofVirtual().name("status-channel").start(this::writeStatus);
        connection.closeFuture().whenComplete((reason, failure) -> Thread.ofVirtual()
                .name("status-channel")
                .start(this::writeStatus));
    }

    /**
     * One of the agent's connections to the host came up: the others try at once rather than at
     * the end of their backoff. Each share has a connection of its own, as the agent's channel does;
     * after a cut, the host is back for all of them once it is for one.
     */
    private void hostIsBack() {
        mounts.forEach(FsMount::reconnectNow);
        OffloadClient channel = client;
        if (channel != null) {
            channel.reconnectNow();
        }
    }

    /** Where the running agent's pid is, for {@code offloadctl agent stop}. */
    public static Path pidFile(Path state) {
        return state.resolve("pid");
    }

    private synchronized void writeStatus() {
        try {
            StatusFile.write(pair.state(), status());
        } catch (IOException e) {
            log.warn("cannot write the status to {}: {}", StatusFile.in(pair.state()), e.getMessage());
        }
    }

    public List<StepState> steps() {
        return applier.states();
    }

    @Override
    public void close() {
        if (daemons != null) {
            daemons.stopAll();
        }
        consoles.ifPresent(ConsoleMirrors::close);
        reaper.ifPresent(OrphanReaper::close);
        if (launcher != null) {
            launcher.close();
        }
        if (gateway != null) {
            try {
                gateway.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (ipc != null) {
            ipc.close();
        }
        if (client != null) {
            client.close();
        }
        applier.undo();
        writeStatus();
        try {
            Files.deleteIfExists(pidFile(pair.state()));
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", pidFile(pair.state()), e.getMessage());
        }
        log.info("offload root {} taken down", pair.root());
    }
}
