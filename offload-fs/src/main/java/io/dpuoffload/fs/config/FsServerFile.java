package io.dpuoffload.fs.config;

import io.dpuoffload.api.spec.CacheMode;
import io.dpuoffload.api.validation.Problem;
import io.dpuoffload.api.validation.Problems;
import io.dpuoffload.api.validation.ProfileValidation;
import io.dpuoffload.fs.allowlist.Allowlist;
import io.dpuoffload.fs.allowlist.PathPrefixes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code offloadctl fs serve}'s YAML as Jackson binds it (the keys are the fields), its validation,
 * and the {@link FsServerConfig} it means. An export has the fields of a profile's share; its
 * {@code path} is the host directory.
 */
public record FsServerFile(
        String node, String listen, Path pki, List<String> peers, List<Export> exports, Integer maxOpenHandles) {
    /** Fewer and a daemon's ordinary work runs out of handles. */
    static final int LEAST_OPEN_HANDLES = 16;
    /** More than the host would give any one process. */
    static final int MOST_OPEN_HANDLES = 1_000_000;

    public FsServerFile {
        pki = pki == null ? Path.of("/etc/dpu-offload/pki") : pki;
        peers = peers == null ? List.of() : peers;
        exports = exports == null ? List.of() : exports;
        maxOpenHandles = maxOpenHandles == null ? FsServerConfig.DEFAULT_MAX_OPEN_HANDLES : maxOpenHandles;
    }

    /** One export; absent fields as for a share (cache none for a proc view, else ttl; ttl 1s). */
    public record Export(
            String name,
            Path path,
            Boolean readOnly,
            CacheMode cache,
            Duration ttl,
            Boolean procView,
            Map<String, List<String>> allow,
            List<String> sharedFifos,
            Boolean devices) {
        public Export {
            procView = procView != null && procView;
            cache = cache == null ? (procView ? CacheMode.NONE : CacheMode.TTL) : cache;
            ttl = ttl == null ? FsServerConfigLoader.DEFAULT_TTL : ttl;
            readOnly = readOnly != null && readOnly;
            sharedFifos = sharedFifos == null ? List.of() : sharedFifos;
            devices = devices != null && devices;
        }

        ExportConfig toConfig() {
            return new ExportConfig(
                    name,
                    path.normalize(),
                    readOnly,
                    cache == CacheMode.NONE ? CachePolicy.NONE : CachePolicy.TTL,
                    ttl,
                    procView,
                    Allowlist.of(allow),
                    new PathPrefixes(sharedFifos),
                    devices);
        }
    }

    public List<Problem> problems() {
        Problems problems = new Problems();
        problems.required("node", node, "host-1");
        problems.required("listen", listen, "tcp://198.51.100.1:7100");
        problems.absolute("pki", pki);
        if (maxOpenHandles < LEAST_OPEN_HANDLES || maxOpenHandles > MOST_OPEN_HANDLES) {
            problems.add(
                    "maxOpenHandles",
                    maxOpenHandles + " is not a whole number from " + LEAST_OPEN_HANDLES + " to " + MOST_OPEN_HANDLES);
        }
        if (exports.isEmpty()) {
            problems.add("exports", "missing; list at least one export");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < exports.size(); i++) {
            String at = "exports[" + i + "]";
            Export export = exports.get(i);
            if (export == null) {
                continue;
            }
            if (problems.required(at + ".name", export.name(), "libvirt")) {
                if (!ProfileValidation.SHARE_NAME.matcher(export.name()).matches()) {
                    problems.add(
                            at + ".name",
                            "'" + export.name() + "' must be lowercase letters, digits and '-', e.g. vm-images");
                } else if (!names.add(export.name())) {
                    problems.add(
                            at + ".name",
                            "export '" + export.name() + "' is defined twice; give each export its own name");
                }
            }
            if (problems.required(at + ".path", export.path(), "/var/lib/libvirt")
                    && !export.path().isAbsolute()) {
                problems.add(at + ".path", "'" + export.path() + "' must be an absolute path");
            }
            if (export.procView() && export.cache() == CacheMode.TTL) {
                problems.add(at + ".cache", "a procView export must use cache: none (its files change on every read)");
            }
            if (export.ttl().isNegative() || export.ttl().compareTo(ProfileValidation.MOST_TTL) > 0) {
                problems.add(at + ".ttl", "must be between 0s and 1h");
            }
            if (export.allow() == null) {
                problems.add(
                        at + ".allow",
                        "missing; every operation is denied unless listed, e.g. "
                                + "allow: {all: [/]} or allow: {lookup: [/], getattr: [/], read: [/images]}");
            } else {
                ProfileValidation.allow(problems, at + ".allow", export.allow());
            }
            for (int f = 0; f < export.sharedFifos().size(); f++) {
                problems.absolute(
                        at + ".sharedFifos[" + f + "]", export.sharedFifos().get(f));
            }
        }
        return problems.list();
    }

    FsServerConfig toConfig() {
        return new FsServerConfig(
                node,
                listen,
                pki.normalize(),
                new LinkedHashSet<>(peers),
                exports.stream().map(Export::toConfig).toList(),
                maxOpenHandles);
    }
}
