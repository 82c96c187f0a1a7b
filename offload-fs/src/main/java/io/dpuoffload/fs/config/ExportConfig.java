package io.dpuoffload.fs.config;

import io.dpuoffload.fs.allowlist.Allowlist;
import io.dpuoffload.fs.allowlist.PathPrefixes;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One exported host directory.
 *
 * @param name what the DPU mounts it by ({@code --export NAME})
 * @param path the host directory, absolute
 * @param readOnly refuse every change with EROFS
 * @param cache entry/attribute caching on the DPU
 * @param ttl how long entries and attributes are trusted when {@code cache} is TTL
 * @param procView serve this export as a /proc: DPU processes resolve to the DPU's own proc, no
 *     caching, direct I/O so that files of size 0 read their real content
 * @param allow per-operation path prefixes; what is not listed is denied
 * @param sharedFifos where fifos are shared between host and DPU: a reader on one side meets a
 *     writer on the other. The DPU sees them as regular files opened as streams; elsewhere a fifo
 *     shows as a fifo, and the DPU's kernel makes its own pipe for it (docs/offload-fs.md, FIFOs)
 * @param devices whether the DPU's root may create device nodes (the mount itself is nodev)
 */
public record ExportConfig(
        String name,
        Path path,
        boolean readOnly,
        CachePolicy cache,
        Duration ttl,
        boolean procView,
        Allowlist allow,
        PathPrefixes sharedFifos,
        boolean devices) {

    /** No shared fifos, no device nodes: the defaults of a configuration file. */
    public ExportConfig(
            String name,
            Path path,
            boolean readOnly,
            CachePolicy cache,
            Duration ttl,
            boolean procView,
            Allowlist allow) {
        this(name, path, readOnly, cache, ttl, procView, allow, PathPrefixes.NONE, false);
    }

    public ExportConfig withTtl(Duration value) {
        return new ExportConfig(name, path, readOnly, cache, value, procView, allow, sharedFifos, devices);
    }

    public ExportConfig withSharedFifos(PathPrefixes value) {
        return new ExportConfig(name, path, readOnly, cache, ttl, procView, allow, value, devices);
    }

    public ExportConfig withDevices(boolean value) {
        return new ExportConfig(name, path, readOnly, cache, ttl, procView, allow, sharedFifos, value);
    }
}
