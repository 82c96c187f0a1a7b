package io.dpuoffload.agent.plan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** This mount namespace's mount points, from /proc/self/mountinfo. */
public final class MountTable {
    private MountTable() {}

    public static Set<Path> mountPoints() {
        try {
            Set<Path> points = new HashSet<>();
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] fields = line.split(" ");
                if (fields.length > 4) {
                    points.add(Path.of(unescape(fields[4])));
                }
            }
            return points;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
        }
    }

    /**
     * Each mount point with the source of the mount on top there ({@code mount}'s "device": for
     * the agent's tmpfs mounts, "dpuoffload").
     */
    public static Map<Path, String> sources() {
        try {
            Map<Path, String> sources = new HashMap<>();
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] fields = line.split(" ");
                int separator = java.util.Arrays.asList(fields).indexOf("-");
                if (fields.length > 4 && separator > 0 && separator + 2 < fields.length) {
                    sources.put(Path.of(unescape(fields[4])), unescape(fields[separator + 2]));
                }
            }
            return sources;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
        }
    }

    /** The mount points at or below {@code root}. */
    public static List<Path> under(Path root) {
        return mountPoints().stream().filter(p -> p.startsWith(root)).sorted().toList();
    }

    /** mountinfo writes space, tab, newline and backslash as octal escapes (\040...). */
    static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                try {
                    out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                    // not an escape: keep the backslash
                }
            }
            out.append(c);
        }
        return out.toString();
    }
}
