package io.dpuoffload.ipc;

import io.dpuoffload.ipc.config.IpcConfig;
import io.dpuoffload.pki.CertificateAuthority;
import io.dpuoffload.pki.TestPki;
import io.dpuoffload.transport.CuttableLink;
import io.dpuoffload.transport.OffloadClient;
import io.dpuoffload.transport.OffloadServer;
import io.dpuoffload.transport.Services;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.net.Endpoint;
import io.dpuoffload.transport.tls.TlsContexts;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A host side and a DPU side of offload-ipc in this JVM, on a mutual-TLS TCP channel that runs
 * through a {@link CuttableLink}, with the transport's own heartbeat and reconnect settings. The
 * host side can be replaced by a new one (a restarted host: none of the old one's state).
 */
final class PairOverLink implements AutoCloseable {
    private static final CertificateAuthority CA = TestPki.newCa("ipc test CA");

    IpcNode host;
    OffloadServer server;
    final IpcNode dpu;
    final OffloadClient client;
    final CuttableLink link;
    /** Channel connections the DPU side has made so far. */
    final AtomicInteger dpuConnections = new AtomicInteger();

    private final List<AutoCloseable> replaced = new ArrayList<>();

    PairOverLink(IpcConfig hostConfig, IpcConfig dpuConfig) throws Exception {
        startHost(hostConfig);
        link = new CuttableLink(((Endpoint.Tcp) server.boundEndpoint()).port());
        dpu = new IpcNode(dpuConfig);
        CountDownLatch connected = new CountDownLatch(1);
        client = OffloadClient.start(
                new Endpoint.Tcp("127.0.0.1", link.port()),
                TransportConfig.builder("dpu-1")
                        .tls(TlsContexts.forClient(TestPki.material(CA, TestPki.node(CA, "dpu-1", "pair-1"))))
                        .services(dpu.register(Services.builder()).build())
                        .build(),
                connection -> {
                    dpu.connected(connection);
                    dpuConnections.incrementAndGet();
                    connected.countDown();
                });
        if (!connected.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the pair did not connect");
        }
        dpu.start();
    }

    private void startHost(IpcConfig config) throws Exception {
        IpcNode node = new IpcNode(config);
        server = OffloadServer.start(
                new Endpoint.Tcp("127.0.0.1", 0),
                TransportConfig.builder("host-1")
                        .tls(TlsContexts.forServer(TestPki.material(CA, TestPki.node(CA, "host-1", "pair-1"))))
                        .services(node.register(Services.builder()).build())
                        .build(),
                node::connected);
        node.start();
        host = node;
    }

    /**
     * The host side dies and a new one starts with {@code config}, knowing nothing of the old one's
     * connections; the link leads to it from now on. The old one's sockets stay as they are (a dead
     * process's would be gone), and close with the pair.
     */
    void restartHost(IpcConfig config) throws Exception {
        link.goSilent(); // the old host goes quiet, as a killed process's connection does
        replaced.add(server);
        replaced.add(host);
        server.close();
        startHost(config);
        link.target(((Endpoint.Tcp) server.boundEndpoint()).port());
        link.reset();
        link.restore();
    }

    @Override
    public void close() throws Exception {
        dpu.close();
        host.close();
        client.close();
        server.close();
        link.close();
        for (AutoCloseable old : replaced) {
            old.close();
        }
    }
}
