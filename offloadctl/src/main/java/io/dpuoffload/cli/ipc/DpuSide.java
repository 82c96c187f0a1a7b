package io.dpuoffload.cli.ipc;

import io.dpuoffload.cli.channel.ConfiguredChannel;
import io.dpuoffload.ipc.IpcNode;
import io.dpuoffload.ipc.config.IpcConfig;
import io.dpuoffload.ipc.wire.IpcFeature;
import io.dpuoffload.transport.OffloadClient;
import io.dpuoffload.transport.Services;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.net.Endpoint;
import java.time.Duration;
import java.util.Set;

/**
 * The DPU side's offload-ipc, up and connected: the node and its channel to the host (mutual TLS
 * unless the endpoint is a local Unix socket and no PKI directory exists). Shared by {@code ipc
 * connect} and {@code ipc run}.
 */
final class DpuSide implements AutoCloseable {
    final IpcConfig config;
    final IpcNode node;
    private final OffloadClient client;

    private DpuSide(IpcConfig config, IpcNode node, OffloadClient client) {
        this.config = config;
        this.node = node;
        this.client = client;
    }

    /** Connects (waiting up to 30 s for the first connection) and starts the node's forwards. */
    static DpuSide connect(Endpoint endpoint, IpcConfig config) throws Exception {
        IpcNode node = new IpcNode(config);
        OffloadClient client = null;
        try {
            var transport = TransportConfig.builder(config.node())
                    .features(Set.of(IpcFeature.IPC))
                    .services(node.register(Services.builder()).build());
            ConfiguredChannel.secure(transport, endpoint, config.node(), config.pki(), config.peers(), false);
            client = OffloadClient.start(endpoint, transport.build(), node::connected);
            client.connection(Duration.ofSeconds(30));
            node.start();
            return new DpuSide(config, node, client);
        } catch (Exception | Error e) {
            if (client != null) {
                client.close();
            }
            node.close();
            throw e;
        }
    }

    @Override
    public void close() {
        node.close();
        client.close();
    }
}
