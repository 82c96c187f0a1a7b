package io.dpuoffload.ipc;

import io.dpuoffload.ipc.config.IpcConfig;
import io.dpuoffload.ipc.config.PeerPaths;
import io.dpuoffload.transport.OffloadClient;
import io.dpuoffload.transport.OffloadServer;
import io.dpuoffload.transport.Services;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.net.Endpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A host side and a DPU side of offload-ipc in this JVM, joined by a Unix socket channel. */
final class IpcPair implements AutoCloseable {
    final IpcNode host;
    final IpcNode dpu;
    final OffloadServer server;
    final OffloadClient client;

    IpcPair(Path work, IpcConfig hostConfig, IpcConfig dpuConfig) throws Exception {
        host = new IpcNode(hostConfig);
        dpu = new IpcNode(dpuConfig);
        CountDownLatch bothConnected = new CountDownLatch(2);
        server = OffloadServer.start(
                new Endpoint.Unix(work.resolve("channel.sock")),
                TransportConfig.builder("host-1")
                        .services(host.register(Services.builder()).build())
                        .build(),
                connection -> {
                    host.connected(connection);
                    bothConnected.countDown();
                });
        client = OffloadClient.start(
                server.boundEndpoint(),
                TransportConfig.builder("dpu-1")
                        .requestTimeout(Duration.ofSeconds(5))
                        .services(dpu.register(Services.builder()).build())
                        .build(),
                connection -> {
                    dpu.connected(connection);
                    bothConnected.countDown();
                });
        if (!bothConnected.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the pair did not connect");
        }
        host.start();
        dpu.start();
    }

    static IpcConfig config(String node, List<IpcConfig.Forward> forwards, List<String> allow) {
        return config(node, forwards, allow, 2048);
    }

    static IpcConfig config(String node, List<IpcConfig.Forward> forwards, List<String> allow, int maxConnections) {
        return new IpcConfig(
                node,
                null,
                Path.of("/nonexistent"),
                Set.of(),
                forwards,
                allow,
                maxConnections,
                new PeerPaths(List.of()));
    }

    @Override
    public void close() {
        host.close();
        dpu.close();
        client.close();
        server.close();
    }
}
