package io.dpuoffload.fs.e2e;

import io.dpuoffload.fs.allowlist.Allowlist;
import io.dpuoffload.fs.client.FsMount;
import io.dpuoffload.fs.client.FsMountOptions;
import io.dpuoffload.fs.config.CachePolicy;
import io.dpuoffload.fs.config.ExportConfig;
import io.dpuoffload.fs.config.FsServerConfig;
import io.dpuoffload.fs.host.FsServer;
import io.dpuoffload.transport.OffloadServer;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.net.Endpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A host side and a DPU mount in this JVM, joined by a Unix socket: the quickest real FUSE mount
 * for behaviour tests. The two-namespace tests use the same pieces in separate processes.
 */
final class LocalPair implements AutoCloseable {
    final Path exported;
    final Path mountpoint;
    final FsServer fs;
    final OffloadServer server;
    final FsMount mount;

    LocalPair(Path work, Allowlist allow, CachePolicy cache, boolean readOnly) throws Exception {
        exported = Files.createDirectories(work.resolve("exported"));
        mountpoint = Files.createDirectories(work.resolve("mnt"));
        var export = new ExportConfig("data", exported, readOnly, cache, Duration.ofSeconds(1), false, allow);
        fs = new FsServer(new FsServerConfig("host-1", "unix:" + work.resolve("fs.sock"), work, Set.of(),
                List.of(export), 64));
        server = OffloadServer.start(new Endpoint.Unix(work.resolve("fs.sock")),
                TransportConfig.builder("host-1").services(fs.register(io.dpuoffload.transport.Services.builder()).build())
                        .build(),
                c -> {});
        mount = FsMount.mount(server.boundEndpoint(), TransportConfig.builder("dpu-1").build(), "data", mountpoint,
                FsMountOptions.defaults().withOpTimeout(Duration.ofSeconds(5)));
    }

    LocalPair(Path work) throws Exception {
        this(work, Allowlist.allowAll(), CachePolicy.NONE, false);
    }

    @Override
    public void close() {
        mount.close();
        server.close();
        fs.close();
    }
}
