package io.dpuoffload.transport;

import io.dpuoffload.transport.diagnostics.Diagnostics;
import io.dpuoffload.transport.net.Endpoint;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** A host/DPU pair over loopback TCP with mutual TLS, or over a Unix socket. */
final class Harness implements AutoCloseable {
    /** Request: blocks until released or cancelled, then answers "done". */
    static final int HANG = 1;
    /** Request: fails with code -2 (ENOENT). */
    static final int FAIL = 2;

    enum Kind {
        TCP_MUTUAL_TLS,
        UNIX_SOCKET
    }

    final Kind kind;
    final Pki pki = new Pki();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final AtomicInteger requestsServed = new AtomicInteger();
    final CountDownLatch hangRelease = new CountDownLatch(1);
    final List<RequestContext> hanging = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Path socketDir;

    Harness(Kind kind) throws Exception {
        this.kind = kind;
        this.socketDir = Files.createTempDirectory("offload-transport-test");
    }

    Services hostServices() {
        return Diagnostics.register(Services.builder())
                .onRequest(HANG, (context, body) -> {
                    requestsServed.incrementAndGet();
                    hanging.add(context);
                    while (!context.isCancelled() && hangRelease.getCount() > 0) {
                        Thread.sleep(5);
                    }
                    return text("done");
                })
                .onRequest(FAIL, (context, body) -> {
                    requestsServed.incrementAndGet();
                    throw new ServiceException(-2, "No such file or directory");
                })
                .build();
    }

    /** A feature only the host offers, and one only the DPU offers: the connection has neither. */
    static final Feature HOST_ONLY = Feature.define("HOST_ONLY", 62);

    static final Feature DPU_ONLY = Feature.define("DPU_ONLY", 63);

    TransportConfig.Builder hostConfig() {
        var builder = TransportConfig.builder(Pki.HOST)
                .services(hostServices())
                .features(Set.of(Feature.DIAGNOSTICS, HOST_ONLY))
                .meters(meters);
        return kind == Kind.TCP_MUTUAL_TLS ? builder.tls(pki.server()) : builder;
    }

    TransportConfig.Builder dpuConfig() {
        var builder = TransportConfig.builder(Pki.DPU)
                .features(Set.of(Feature.DIAGNOSTICS, DPU_ONLY))
                .reconnect(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200)))
                .meters(meters);
        return kind == Kind.TCP_MUTUAL_TLS ? builder.tls(pki.client()) : builder;
    }

    Endpoint listenEndpoint() {
        return kind == Kind.TCP_MUTUAL_TLS
                ? new Endpoint.Tcp("127.0.0.1", 0)
                : new Endpoint.Unix(socketDir.resolve("s"));
    }

    OffloadServer startHost(TransportConfig config, Endpoint endpoint) throws Exception {
        OffloadServer server = OffloadServer.start(endpoint, config, connection -> {});
        closeables.add(server);
        return server;
    }

    OffloadServer startHost() throws Exception {
        return startHost(hostConfig().build(), listenEndpoint());
    }

    OffloadConnection connect(OffloadServer server, TransportConfig config) {
        OffloadConnection connection =
                OffloadClient.connectOnce(server.boundEndpoint(), config).join();
        closeables.add(connection);
        return connection;
    }

    OffloadClient client(Endpoint endpoint, TransportConfig config) {
        OffloadClient client = OffloadClient.start(endpoint, config);
        closeables.add(client);
        return client;
    }

    double meter(String name, String role) {
        var counter = meters.find(name).tag("role", role).counter();
        return counter == null ? 0 : counter.count();
    }

    static ByteBuf text(String value) {
        return Unpooled.copiedBuffer(value, StandardCharsets.UTF_8);
    }

    static String text(ByteBuf value) {
        try {
            return value.toString(StandardCharsets.UTF_8);
        } finally {
            value.release();
        }
    }

    @Override
    public void close() throws Exception {
        hangRelease.countDown();
        for (AutoCloseable closeable : closeables.reversed()) {
            closeable.close();
        }
        try (var files = Files.list(socketDir)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(socketDir);
    }
}
