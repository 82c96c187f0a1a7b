package io.dpuoffload.fs.allowlist;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Which paths of an export each operation may touch: path prefixes relative to the export's root,
 * matched on whole path components ({@code /images} allows {@code /images/a.qcow2}, not
 * {@code /images-old}). An operation without an entry is denied: deny by default.
 */
public final class Allowlist {
    private final Map<Operation, List<String>> prefixes;

    public Allowlist(Map<Operation, List<String>> prefixes) {
        var copy = new EnumMap<Operation, List<String>>(Operation.class);
        prefixes.forEach((op, list) ->
                copy.put(op, list.stream().map(Allowlist::normalize).toList()));
        this.prefixes = copy;
    }

    /** The configuration key that stands for every operation. */
    public static final String ALL = "all";

    /**
     * An allowlist as configurations write it: operation names ({@link Operation#configName()}, or
     * {@code all} for every one) to path prefixes; the prefixes of one operation named twice add up.
     *
     * @throws IllegalArgumentException naming an operation that does not exist
     */
    public static Allowlist of(Map<String, List<String>> byName) {
        var prefixes = new EnumMap<Operation, List<String>>(Operation.class);
        byName.forEach((name, paths) -> {
            List<Operation> operations = name.equals(ALL)
                    ? List.of(Operation.values())
                    : List.of(Operation.fromConfigName(name)
                            .orElseThrow(() -> new IllegalArgumentException(
                                    "unknown operation '" + name + "'; use all or one of " + Operation.configNames())));
            for (Operation operation : operations) {
                prefixes.merge(
                        operation, List.copyOf(paths), (a, b) -> java.util.stream.Stream.concat(a.stream(), b.stream())
                                .toList());
            }
        });
        return new Allowlist(prefixes);
    }

    /** Everything allowed: for tests and for exports that are meant to be wide open. */
    public static Allowlist allowAll() {
        var all = new EnumMap<Operation, List<String>>(Operation.class);
        for (Operation op : Operation.values()) {
            all.put(op, List.of("/"));
        }
        return new Allowlist(all);
    }

    /**
     * Whether {@code operation} may touch {@code path}, a path relative to the export root that starts
     * with '/' and contains no '.' or '..' components (the server builds it from the real path of
     * an open file descriptor, never from what the client sent).
     */
    public boolean allows(Operation operation, String path) {
        List<String> allowed = prefixes.get(operation);
        if (allowed == null) {
            return false;
        }
        for (String prefix : allowed) {
            if (PathPrefixes.matches(prefix, path)) {
                return true;
            }
        }
        return false;
    }

    /** True when {@code operation} is allowed on the whole export, so no path need be computed. */
    public boolean allowsEverywhere(Operation operation) {
        List<String> allowed = prefixes.get(operation);
        return allowed != null && allowed.contains("/");
    }

    public Map<Operation, List<String>> prefixes() {
        return Map.copyOf(prefixes);
    }

    /** "/a/b/" → "/a/b"; "a" → "/a". Validation of '..' happens when the config is loaded. */
    static String normalize(String prefix) {
        String value = prefix.startsWith("/") ? prefix : "/" + prefix;
        while (value.length() > 1 && value.endsWith("/")) {
            value = value.substring(0, value.length() - 1);
        }
        return value;
    }
}
