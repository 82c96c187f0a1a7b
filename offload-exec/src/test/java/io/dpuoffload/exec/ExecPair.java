package io.dpuoffload.exec;

import io.dpuoffload.exec.host.ExecServer;
import io.dpuoffload.transport.OffloadClient;
import io.dpuoffload.transport.OffloadConnection;
import io.dpuoffload.transport.OffloadServer;
import io.dpuoffload.transport.Services;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.net.Endpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/** A host's exec server and a DPU-side client connection in this JVM, joined by a Unix socket channel. */
final class ExecPair implements AutoCloseable {
    final ExecServer exec;
    final OffloadServer server;
    final OffloadClient client;

    ExecPair(Path work, Set<String> allowed) throws Exception {
        exec = new ExecServer(allowed);
        server = serve(work, exec);
        client = OffloadClient.start(
                server.boundEndpoint(), TransportConfig.builder("dpu-1").build(), connection -> {});
    }

    /** {@code exec} served as host-1 on a Unix socket channel in {@code work}. */
    static OffloadServer serve(Path work, ExecServer exec) throws Exception {
        return OffloadServer.start(
                new Endpoint.Unix(work.resolve("channel.sock")),
                TransportConfig.builder("host-1")
                        .services(exec.register(Services.builder()).build())
                        .build(),
                connection -> {});
    }

    OffloadConnection connection() throws Exception {
        return client.connection(Duration.ofSeconds(10));
    }

    @Override
    public void close() {
        client.close();
        server.close();
        exec.close();
    }
}
