package io.dpuoffload.fs.config;

import io.dpuoffload.fs.allowlist.Allowlist;
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
 */
public record ExportConfig(
        String name, Path path, boolean readOnly, CachePolicy cache, Duration ttl, boolean procView, Allowlist allow) {}
