package io.dpuoffload.api.spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A host directory mounted in the offload root through offload-fs: the same fields as an export
 * of {@code offloadctl fs serve}, so the host agent serves it with the same checks.
 *
 * @param name the export's name on the host (lowercase letters, digits and '-')
 * @param hostPath the directory on the host
 * @param path where it appears in the root; default: the host path
 * @param cache {@code ttl} for data directories, {@code none} for /proc, /sys and cgroups; default
 *     {@code none} for a proc view, else {@code ttl}
 * @param ttl how long entries and attributes are trusted with {@code cache: ttl}; default 1s
 * @param readOnly refuse every change with EROFS
 * @param procView the host's /proc, with the DPU's own processes resolved locally
 * @param allow per operation (or {@code all}), the path prefixes inside the share the DPU may use;
 *     what is not listed is denied. Default: {@code {all: [/]}}, the whole share
 * @param sharedFifos where fifos connect a reader on one side with a writer on the other
 * @param devices whether the DPU's root may create device nodes in the share
 */
public record Share(
        String name,
        Path hostPath,
        Path path,
        CacheMode cache,
        Duration ttl,
        Boolean readOnly,
        Boolean procView,
        Map<String, List<String>> allow,
        List<String> sharedFifos,
        Boolean devices) {

    /** Entries and attributes are trusted this long by default: short, as daemons share files with the host. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(1);
    /** The allowlist's key for every operation. */
    public static final String ALL_OPERATIONS = "all";
    /**
     * The operations an allowlist names (offload-fs checks each request as one of them); a test of
     * the agent keeps this list the same as offload-fs's.
     */
    public static final List<String> OPERATIONS = List.of(
            "lookup",
            "getattr",
            "open",
            "read",
            "write",
            "readdir",
            "mkdir",
            "rmdir",
            "create",
            "mknod",
            "unlink",
            "rename",
            "link",
            "symlink",
            "setattr",
            "xattr-get",
            "xattr-set",
            "xattr-remove",
            "statfs");

    public Share {
        path = path == null ? hostPath : path;
        procView = procView != null && procView;
        cache = cache == null ? (procView ? CacheMode.NONE : CacheMode.TTL) : cache;
        ttl = ttl == null ? DEFAULT_TTL : ttl;
        readOnly = readOnly != null && readOnly;
        allow = allow == null ? Map.of(ALL_OPERATIONS, List.of("/")) : Lists.orEmpty(allow);
        sharedFifos = Lists.orEmpty(sharedFifos);
        devices = devices != null && devices;
    }

    /** A share with the defaults: {@code hostPath} at the same path in the root, cached, the whole of it allowed. */
    public static Share of(String name, Path hostPath) {
        return new Share(name, hostPath, null, null, null, null, null, null, null, null);
    }

    public Share at(Path value) {
        return new Share(name, hostPath, value, cache, ttl, readOnly, procView, allow, sharedFifos, devices);
    }

    public Share withProcView() {
        return new Share(name, hostPath, path, CacheMode.NONE, ttl, readOnly, true, allow, sharedFifos, devices);
    }

    public Share withAllow(Map<String, List<String>> value) {
        return new Share(name, hostPath, path, cache, ttl, readOnly, procView, value, sharedFifos, devices);
    }
}
