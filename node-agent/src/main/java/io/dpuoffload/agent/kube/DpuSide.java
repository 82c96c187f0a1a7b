package io.dpuoffload.agent.kube;

import io.dpuoffload.agent.dpu.DpuAgent;
import io.dpuoffload.api.spec.ResolvedPair;
import io.dpuoffload.api.status.AgentStatus;
import io.dpuoffload.pki.TlsFiles;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.tls.ReloadingTlsContext;
import java.nio.file.Path;

/**
 * The DPU agent of a pair, as the standalone {@code agent --role dpu} runs it: the offload root, the
 * exec gateway and the daemons, over a mutual-TLS channel to the pair's host only.
 */
final class DpuSide implements RunningSide {
    private final Plan plan;
    private final DpuAgent agent;

    private DpuSide(Plan plan, DpuAgent agent) {
        this.plan = plan;
        this.agent = agent;
    }

    /** @param nodeRoot where this agent sees the node's {@code /}: the offload root's system comes from there */
    static DpuSide start(Plan plan, TlsFiles credentials, Path nodeRoot) throws Exception {
        ResolvedPair pair = plan.pair();
        TransportConfig transport = TransportConfig.builder(pair.dpuNode())
                .tlsSource(ReloadingTlsContext.forClient(credentials))
                .expectPeer(pair.hostNode())
                .build();
        return new DpuSide(plan, DpuAgent.start(pair, plan.endpoint(), transport, nodeRoot));
    }

    @Override
    public Plan plan() {
        return plan;
    }

    @Override
    public Snapshot snapshot(long generation) {
        AgentStatus status = agent.status();
        boolean connected = status.channel() != null && status.channel().connected();
        return new Snapshot(
                Reports.dpu(status, generation),
                Reports.channel(plan.pair().hostEndpoint(), connected, null),
                Reports.mounts(status),
                Reports.daemons(status));
    }

    @Override
    public void close() {
        agent.close();
    }
}
