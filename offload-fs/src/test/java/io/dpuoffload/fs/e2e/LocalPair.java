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
import java.util.function.UnaryOperator;

/**
 * A host side and a DPU mount in this JVM, joined by a Unix socket: the quickest real FUSE mount
 * for behaviour tests. The two-namespace tests use the same pieces in separate processes.
 */
public final class LocalPair implements AutoCloseable {
    public final Path exported;
    public final Path mountpoint;
    public final FsServer fs;
    public final OffloadServer server;
    public final FsMount mount;

    public LocalPair(Path work, Allowlist allow, CachePolicy cache, boolean readOnly) throws Exception {
        this(work.resolve("exported"), work.resolve("mnt"), work, allow, cache, readOnly);
    }

    /**
     * With the exported directory and the mount point where the test wants them: escape tests keep
     * the two in different places, so that a path that leaves the mount on the DPU side never names
     * the host's neighbours of the export.
     */
    public LocalPair(Path exported, Path mountpoint, Path work, Allowlist allow, CachePolicy cache, boolean readOnly)
            throws Exception {
        this(exported, mountpoint, work, allow, cache, readOnly, UnaryOperator.identity());
    }

    /** With the export's other settings ({@link ExportConfig#withSharedFifos} and the like) changed by {@code shape}. */
    public LocalPair(
            Path exported,
            Path mountpoint,
            Path work,
            Allowlist allow,
            CachePolicy cache,
            boolean readOnly,
            UnaryOperator<ExportConfig> shape)
            throws Exception {
        this(exported, mountpoint, work, allow, cache, readOnly, shape, FsServer.DEFAULT_RESUME_WITHIN);
    }

    /** With the host keeping a session without its connection for {@code resumeWithin} (see FsServer). */
    public LocalPair(
            Path exported,
            Path mountpoint,
            Path work,
            Allowlist allow,
            CachePolicy cache,
            boolean readOnly,
            UnaryOperator<ExportConfig> shape,
            Duration resumeWithin)
            throws Exception {
        this(
                exported,
                mountpoint,
                work,
                allow,
                cache,
                readOnly,
                shape,
                resumeWithin,
                FsMountOptions.defaults().withOpTimeout(Duration.ofSeconds(5)));
    }

    /** With the DPU mounting with {@code options} (a /proc view's stand-ins, say). */
    public LocalPair(
            Path exported,
            Path mountpoint,
            Path work,
            Allowlist allow,
            CachePolicy cache,
            boolean readOnly,
            UnaryOperator<ExportConfig> shape,
            Duration resumeWithin,
            FsMountOptions options)
            throws Exception {
        this.exported = Files.createDirectories(exported);
        this.mountpoint = Files.createDirectories(mountpoint);
        var export =
                shape.apply(new ExportConfig("data", exported, readOnly, cache, Duration.ofSeconds(1), false, allow));
        fs = new FsServer(
                new FsServerConfig("host-1", "unix:" + work.resolve("fs.sock"), work, Set.of(), List.of(export), 64),
                resumeWithin);
        server = OffloadServer.start(
                new Endpoint.Unix(work.resolve("fs.sock")),
                TransportConfig.builder("host-1")
                        .services(fs.register(io.dpuoffload.transport.Services.builder())
                                .build())
                        .build(),
                c -> {});
        mount = FsMount.mount(
                server.boundEndpoint(), TransportConfig.builder("dpu-1").build(), "data", mountpoint, options);
    }

    public LocalPair(Path work) throws Exception {
        this(work, Allowlist.allowAll(), CachePolicy.NONE, false);
    }

    @Override
    public void close() {
        mount.close();
        server.close();
        fs.close();
    }
}
