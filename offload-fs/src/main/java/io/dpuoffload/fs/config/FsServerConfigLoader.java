package io.dpuoffload.fs.config;

import io.dpuoffload.config.ConfigException;
import io.dpuoffload.config.YamlFields;
import io.dpuoffload.fs.allowlist.Allowlist;
import io.dpuoffload.fs.allowlist.Operation;
import io.dpuoffload.fs.allowlist.PathPrefixes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads {@link FsServerConfig} from YAML and refuses anything doubtful at start, naming the field:
 *
 * <pre>
 * node: host-1
 * listen: tcp://198.51.100.1:7100
 * pki: /etc/dpu-offload/pki
 * peers: [dpu-1]
 * maxOpenHandles: 4096
 * exports:
 *   - name: libvirt
 *     path: /var/lib/libvirt
 *     readOnly: false
 *     cache: ttl          # none | ttl
 *     ttl: 1s
 *     procView: false
 *     sharedFifos: [/run] # fifos here connect host and DPU processes (default: none)
 *     devices: false      # may the DPU's root create device nodes
 *     allow:              # operation: [path prefixes inside the export]; unlisted = denied
 *       all: [/]          # shorthand for every operation
 *       write: [/images]
 * </pre>
 */
public final class FsServerConfigLoader {
    /** Entries and attributes are trusted this long by default: short, as daemons share files with the host. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(1);

    public static FsServerConfig load(Path file) {
        return YamlFields.load(file, FsServerConfigLoader::parse);
    }

    public static FsServerConfig parse(String yaml) {
        YamlFields root = YamlFields.parse(yaml);
        root.allowOnly(Set.of("node", "listen", "pki", "peers", "exports", "maxOpenHandles"));
        String node = root.requiredText("node", "host-1");
        String listen = root.requiredText("listen", "tcp://198.51.100.1:7100");
        Path pki = absolute(root.optionalText("pki", "/etc/dpu-offload/pki"), root.field("pki"));
        Set<String> peers = new LinkedHashSet<>(root.texts("peers"));
        int maxOpenHandles = root.optionalInt("maxOpenHandles", FsServerConfig.DEFAULT_MAX_OPEN_HANDLES, 16, 1_000_000);
        List<ExportConfig> exports = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (YamlFields export : root.objects("exports", true)) {
            ExportConfig parsed = export(export);
            if (!names.add(parsed.name())) {
                throw new ConfigException(export.field("name") + ": export '" + parsed.name()
                        + "' is defined twice; give each export its own name");
            }
            exports.add(parsed);
        }
        return new FsServerConfig(node, listen, pki, peers, List.copyOf(exports), maxOpenHandles);
    }

    private static ExportConfig export(YamlFields fields) {
        fields.allowOnly(
                Set.of("name", "path", "readOnly", "cache", "ttl", "procView", "allow", "sharedFifos", "devices"));
        String name = fields.requiredText("name", "libvirt");
        if (!name.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?")) {
            throw new ConfigException(fields.field("name") + ": '" + name
                    + "' must be lowercase letters, digits and '-', e.g. vm-images");
        }
        Path path = absolute(fields.requiredText("path", "/var/lib/libvirt"), fields.field("path"));
        boolean procView = fields.optionalBoolean("procView", false);
        String cacheText = fields.optionalText("cache", procView ? "none" : "ttl");
        CachePolicy cache =
                switch (cacheText) {
                    case "none" -> CachePolicy.NONE;
                    case "ttl" -> CachePolicy.TTL;
                    default ->
                        throw new ConfigException(fields.field("cache") + ": '" + cacheText + "' is not a cache "
                                + "policy; use none or ttl");
                };
        if (procView && cache != CachePolicy.NONE) {
            throw new ConfigException(fields.field("cache") + ": a procView export must use cache: none (its "
                    + "files change on every read)");
        }
        Duration ttl = fields.optionalDuration("ttl", DEFAULT_TTL);
        if (ttl.isNegative() || ttl.compareTo(Duration.ofHours(1)) > 0) {
            throw new ConfigException(fields.field("ttl") + ": must be between 0s and 1h");
        }
        return new ExportConfig(
                name,
                path,
                fields.optionalBoolean("readOnly", false),
                cache,
                ttl,
                procView,
                allowlist(fields.object("allow"), fields.field("allow")),
                sharedFifos(fields),
                fields.optionalBoolean("devices", false));
    }

    private static PathPrefixes sharedFifos(YamlFields fields) {
        List<String> paths = fields.texts("sharedFifos");
        for (int i = 0; i < paths.size(); i++) {
            checkPrefix(paths.get(i), fields.field("sharedFifos") + "[" + i + "]");
        }
        return new PathPrefixes(paths);
    }

    private static Allowlist allowlist(YamlFields allow, String where) {
        if (allow == null) {
            throw new ConfigException(where + ": missing; every operation is denied unless listed, e.g. "
                    + "allow: {all: [/]} or allow: {lookup: [/], getattr: [/], read: [/images]}");
        }
        Map<Operation, List<String>> prefixes = new EnumMap<>(Operation.class);
        for (Iterator<String> it = allow.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            List<String> paths = allow.texts(key);
            for (int i = 0; i < paths.size(); i++) {
                checkPrefix(paths.get(i), allow.field(key) + "[" + i + "]");
            }
            if (key.equals("all")) {
                for (Operation op : Operation.values()) {
                    prefixes.merge(op, paths, FsServerConfigLoader::concat);
                }
                continue;
            }
            Operation op = Operation.fromConfigName(key)
                    .orElseThrow(() -> new ConfigException(
                            allow.field(key) + ": unknown operation; use all or one of " + Operation.configNames()));
            prefixes.merge(op, paths, FsServerConfigLoader::concat);
        }
        return new Allowlist(prefixes);
    }

    private static void checkPrefix(String prefix, String where) {
        if (!prefix.startsWith("/")) {
            throw new ConfigException(where + ": '" + prefix + "' must start with '/' (paths are inside the export)");
        }
        for (String part : prefix.split("/")) {
            if (part.equals("..") || part.equals(".")) {
                throw new ConfigException(where + ": '" + prefix + "' must not contain '.' or '..'");
            }
        }
    }

    private static Path absolute(String text, String where) {
        Path path = Path.of(text);
        if (!path.isAbsolute()) {
            throw new ConfigException(where + ": '" + text + "' must be an absolute path");
        }
        return path.normalize();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private FsServerConfigLoader() {}
}
