package io.dpuoffload.fs.posix;

import io.dpuoffload.fs.allowlist.Allowlist;
import io.dpuoffload.fs.config.CachePolicy;
import io.dpuoffload.fs.config.ExportConfig;
import io.dpuoffload.fs.e2e.LocalPair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * One export mounted for a test class, with a fresh directory per test so tests do not see each
 * other's files. Closing unmounts.
 */
final class PosixMount implements AutoCloseable {
    final LocalPair pair;
    private final Path localRoot;
    private final AtomicInteger next = new AtomicInteger();

    private PosixMount(LocalPair pair, Path localRoot) {
        this.pair = pair;
        this.localRoot = localRoot;
    }

    /**
     * The cache policy of the suite's usual mount: `cache: none` unless the system property
     * {@code offload.fs.posix.cache} says {@code ttl}, to run the whole suite where the DPU's kernel
     * caches attributes and checks permissions itself (-Doffload.fs.posix.cache=ttl).
     */
    static final CachePolicy CACHE = CachePolicy.valueOf(
            System.getProperty("offload.fs.posix.cache", "none").toUpperCase(java.util.Locale.ROOT));

    static PosixMount start(Path work) throws Exception {
        return start(work, Allowlist.allowAll(), CACHE, false);
    }

    static PosixMount start(Path work, Allowlist allow, CachePolicy cache, boolean readOnly) throws Exception {
        return start(work, allow, cache, readOnly, UnaryOperator.identity());
    }

    /** With the export's other settings (shared fifos, devices) changed by {@code shape}. */
    static PosixMount start(Path work, UnaryOperator<ExportConfig> shape) throws Exception {
        return start(work, Allowlist.allowAll(), CACHE, false, shape);
    }

    /** With the cache policy and the export's other settings (its TTL) changed by {@code shape}. */
    static PosixMount start(Path work, CachePolicy cache, UnaryOperator<ExportConfig> shape) throws Exception {
        return start(work, Allowlist.allowAll(), cache, false, shape);
    }

    private static PosixMount start(
            Path work, Allowlist allow, CachePolicy cache, boolean readOnly, UnaryOperator<ExportConfig> shape)
            throws Exception {
        // Other users must reach the mount point for the identity tests; @TempDir makes it 0700.
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path local = Files.createDirectories(work.resolve("local"));
        return new PosixMount(
                new LocalPair(work.resolve("exported"), work.resolve("mnt"), work, allow, cache, readOnly, shape),
                local);
    }

    /** A new, empty directory: created on the host, so it exists in the export and beside it. */
    Sides fresh() throws IOException {
        String name = "t" + next.incrementAndGet();
        Path host = Files.createDirectory(pair.exported.resolve(name));
        Path local = Files.createDirectory(localRoot.resolve(name));
        return new Sides(host, pair.mountpoint.resolve(name), local);
    }

    Path exported() {
        return pair.exported;
    }

    Path mountpoint() {
        return pair.mountpoint;
    }

    @Override
    public void close() {
        pair.close();
    }
}
