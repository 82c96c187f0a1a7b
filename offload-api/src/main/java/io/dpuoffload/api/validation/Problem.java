package io.dpuoffload.api.validation;

/**
 * One thing wrong with a configuration: the field, as a path from the document's top ({@code
 * profiles[0].daemons[1].restart}), what is wrong and how to fix it, and the line in the YAML when
 * it came from one.
 *
 * @param line 1-based; 0 when unknown (a record built in code)
 */
public record Problem(String path, String message, int line) {
    public Problem(String path, String message) {
        this(path, message, 0);
    }

    public Problem atLine(int value) {
        return new Problem(path, message, value);
    }

    /** The same problem one level down, e.g. in the pair's {@code profiles[0]}. */
    public Problem under(String prefix) {
        return new Problem(path.isEmpty() ? prefix : prefix + "." + path, message, line);
    }

    @Override
    public String toString() {
        String where = path.isEmpty() ? "the document" : path;
        return line > 0 ? where + " (line " + line + "): " + message : where + ": " + message;
    }
}
