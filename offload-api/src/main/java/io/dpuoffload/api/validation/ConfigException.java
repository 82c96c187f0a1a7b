package io.dpuoffload.api.validation;

import java.util.List;

/**
 * A configuration that cannot be used: every problem found, each naming its field and the fix.
 * The message lists them all, one a line after the first.
 */
public final class ConfigException extends RuntimeException {
    private final transient List<Problem> problems;

    public ConfigException(String source, List<Problem> problems) {
        super(message(source, problems));
        this.problems = List.copyOf(problems);
    }

    /** One problem that is not about a field (a file that cannot be read). */
    public ConfigException(String message) {
        super(message);
        this.problems = List.of(new Problem("", message));
    }

    public List<Problem> problems() {
        return problems;
    }

    private static String message(String source, List<Problem> problems) {
        String prefix = source == null || source.isEmpty() ? "" : source + ": ";
        if (problems.size() == 1) {
            return prefix + problems.getFirst();
        }
        StringBuilder text = new StringBuilder(prefix + problems.size() + " problems:");
        problems.forEach(problem -> text.append("\n  ").append(problem));
        return text.toString();
    }
}
