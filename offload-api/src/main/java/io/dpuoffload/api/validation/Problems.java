package io.dpuoffload.api.validation;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Collects the problems of one validation, with the checks that every part of the model shares. */
public final class Problems {
    private final List<Problem> found = new ArrayList<>();

    public void add(String path, String message) {
        found.add(new Problem(path, message));
    }

    public void addAll(String prefix, List<Problem> problems) {
        problems.forEach(problem -> found.add(problem.under(prefix)));
    }

    public List<Problem> list() {
        return List.copyOf(found);
    }

    /** Whether {@code value} is there; else says it is missing, with an example. */
    public boolean required(String path, Object value, String example) {
        if (value == null || (value instanceof String text && text.isBlank())) {
            add(path, "missing; e.g. " + last(path) + ": " + example);
            return false;
        }
        return true;
    }

    /** An absolute path without {@code .} or {@code ..} (null: nothing to check). */
    public void absolute(String path, Path value) {
        if (value != null && (!value.isAbsolute() || !value.normalize().equals(value))) {
            add(path, "'" + value + "' must be an absolute path without '.' or '..'");
        }
    }

    /** The same for a path given as text (allowlist prefixes, shared fifo directories). */
    public void absolute(String path, String value) {
        if (value == null) {
            return;
        }
        if (!value.startsWith("/")) {
            add(path, "'" + value + "' must be an absolute path (start with '/')");
            return;
        }
        for (String part : value.split("/")) {
            if (part.equals(".") || part.equals("..")) {
                add(path, "'" + value + "' must not contain '.' or '..'");
                return;
            }
        }
    }

    /** At least {@code least}, for a duration that is checked or waited for that often. */
    public void atLeast(String path, Duration value, Duration least, String why) {
        if (value != null && value.compareTo(least) < 0) {
            add(path, io.dpuoffload.api.yaml.Durations.format(value) + " " + why);
        }
    }

    /** From zero to {@code most}: a negative duration is never meant, and past {@code most} is too long. */
    public void atMost(String path, Duration value, Duration most, String why) {
        if (value != null && (value.isNegative() || value.compareTo(most) > 0)) {
            add(path, io.dpuoffload.api.yaml.Durations.format(value) + " " + why);
        }
    }

    private static String last(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }
}
