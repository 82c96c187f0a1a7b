package io.dpuoffload.agent.kube;

import io.dpuoffload.agent.host.HostAgent;
import io.dpuoffload.agent.host.HostStatusKeeper;
import io.dpuoffload.api.spec.ResolvedPair;
import io.dpuoffload.fs.wire.FsFeature;
import io.dpuoffload.ipc.wire.IpcFeature;
import io.dpuoffload.pki.TlsFiles;
import io.dpuoffload.transport.OffloadServer;
import io.dpuoffload.transport.Services;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.tls.ReloadingTlsContext;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The host agent of a pair, as the standalone {@code agent --role host} runs it: offload-fs, -ipc
 * and -exec on one mutual-TLS listener that accepts the pair's DPU only.
 */
final class HostSide implements RunningSide {
    private final Plan plan;
    private final HostAgent agent;
    private final OffloadServer server;
    private final AtomicLong connections;
    private final HostStatusKeeper status;

    private HostSide(
            Plan plan, HostAgent agent, OffloadServer server, AtomicLong connections, HostStatusKeeper status) {
        this.plan = plan;
        this.agent = agent;
        this.server = server;
        this.connections = connections;
        this.status = status;
    }

    /**
     * @param nodeRoot where this agent sees the node's {@code /} (see {@link HostAgent#create(ResolvedPair, Path)})
     * @param changed told when a DPU connects or goes, so the report follows at once
     */
    static HostSide start(Plan plan, TlsFiles credentials, Path nodeRoot, Runnable changed) throws Exception {
        ResolvedPair pair = plan.pair();
        HostAgent agent = HostAgent.create(pair, nodeRoot);
        try {
            TransportConfig transport = TransportConfig.builder(pair.hostNode())
                    .features(Set.of(FsFeature.FILESYSTEM, IpcFeature.IPC))
                    .services(agent.register(Services.builder()).build())
                    .tlsSource(ReloadingTlsContext.forServer(credentials))
                    .expectPeer(pair.dpuNode())
                    .build();
            AtomicLong connections = new AtomicLong();
            OffloadServer server = OffloadServer.start(plan.endpoint(), transport, connection -> {
                agent.connected(connection);
                connections.incrementAndGet();
                changed.run();
                connection.closeFuture().whenComplete((reason, failure) -> changed.run());
            });
            try {
                // As the standalone agent's: `offloadctl agent status --role host` in the pod reads it.
                return new HostSide(
                        plan,
                        agent,
                        server,
                        connections,
                        HostStatusKeeper.start(
                                pair.hostState(), agent, plan.endpoint().toString()));
            } catch (Exception e) {
                server.close();
                throw e;
            }
        } catch (Exception e) {
            agent.close();
            throw e;
        }
    }

    @Override
    public Plan plan() {
        return plan;
    }

    @Override
    public Snapshot snapshot(long generation) {
        int connected = server.connections().size();
        String endpoint = plan.pair().hostEndpoint();
        return new Snapshot(
                Reports.host(endpoint, connected, generation, Instant.now()),
                Reports.channel(
                        endpoint,
                        connected > 0,
                        connections.get(),
                        server.metrics().servedForPeers()),
                null,
                null);
    }

    @Override
    public void close() {
        try {
            status.close();
            server.close();
        } finally {
            agent.close();
        }
    }
}
