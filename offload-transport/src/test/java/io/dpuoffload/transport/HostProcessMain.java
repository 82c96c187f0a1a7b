package io.dpuoffload.transport;

import io.dpuoffload.pki.TlsFiles;
import io.dpuoffload.transport.diagnostics.Diagnostics;
import io.dpuoffload.transport.net.Endpoint;
import io.dpuoffload.transport.tls.TlsContexts;
import java.nio.file.Path;
import java.util.Set;

/**
 * A host side in its own process, so tests can kill it for real: serves the diagnostics services
 * and a request (service 1) that never answers. Prints READY when listening.
 */
public final class HostProcessMain {
    public static void main(String[] args) throws Exception {
        Path pki = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        var services = Diagnostics.register(Services.builder())
                .onRequest(Harness.HANG, (context, body) -> {
                    Thread.sleep(Long.MAX_VALUE);
                    return null;
                })
                .build();
        var config = TransportConfig.builder(Pki.HOST)
                .tls(TlsContexts.forServer(TlsFiles.inDirectory(pki, Pki.HOST)))
                .services(services)
                .features(Set.of(Feature.DIAGNOSTICS))
                .build();
        OffloadServer.start(new Endpoint.Tcp("127.0.0.1", port), config, connection -> {});
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
