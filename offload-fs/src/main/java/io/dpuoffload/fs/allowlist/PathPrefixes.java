package io.dpuoffload.fs.allowlist;

import java.util.List;

/**
 * Path prefixes inside an export, matched on whole path components: {@code /images} covers
 * {@code /images/a.qcow2}, not {@code /images-old}; {@code /} covers everything.
 */
public record PathPrefixes(List<String> prefixes) {
    public static final PathPrefixes NONE = new PathPrefixes(List.of());
    public static final PathPrefixes EVERYWHERE = new PathPrefixes(List.of("/"));

    public PathPrefixes {
        prefixes = prefixes.stream().map(Allowlist::normalize).toList();
    }

    /** Whether {@code path} (relative to the export root, starting with '/') lies under one of them. */
    public boolean covers(String path) {
        for (String prefix : prefixes) {
            if (matches(prefix, path)) {
                return true;
            }
        }
        return false;
    }

    public boolean coversEverything() {
        return prefixes.contains("/");
    }

    public boolean isEmpty() {
        return prefixes.isEmpty();
    }

    static boolean matches(String prefix, String path) {
        return prefix.equals("/") || path.equals(prefix) || path.startsWith(prefix + "/");
    }
}
