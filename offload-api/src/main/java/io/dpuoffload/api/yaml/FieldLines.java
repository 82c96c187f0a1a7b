package io.dpuoffload.api.yaml;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The line each field of a YAML document is on, by its path: the bound records know no lines, so
 * a problem that validation finds in them gets its line here (a missing field: its parent's).
 */
final class FieldLines {
    private final Map<String, Integer> lines;
    /** Where the YAML breaks, if it does. */
    final java.util.Optional<com.fasterxml.jackson.core.JsonParseException> broken;

    private FieldLines(Map<String, Integer> lines, com.fasterxml.jackson.core.JsonParseException broken) {
        this.lines = lines;
        this.broken = java.util.Optional.ofNullable(broken);
    }

    /** The lines of the fields up to the end, or up to where the YAML breaks. */
    static FieldLines of(JsonParser parser) {
        Map<String, Integer> lines = new HashMap<>();
        com.fasterxml.jackson.core.JsonParseException broken = null;
        try (parser) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token != JsonToken.END_OBJECT && token != JsonToken.END_ARRAY) {
                    lines.putIfAbsent(
                            ProblemCollector.pathOf(parser),
                            parser.currentTokenLocation().getLineNr());
                }
            }
        } catch (com.fasterxml.jackson.core.JsonParseException e) {
            broken = e;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("reading a string failed", e);
        }
        return new FieldLines(lines, broken);
    }

    /** Whether the document has nothing in it (only comments, or nothing at all). */
    boolean isEmpty() {
        return lines.isEmpty();
    }

    /** The line of {@code path}, or of the nearest field above it that the document has; 0 if none. */
    int lineOf(String path) {
        for (String at = path; ; ) {
            Integer line = lines.get(at);
            if (line != null) {
                return line;
            }
            int cut = Math.max(at.lastIndexOf('.'), at.lastIndexOf('['));
            if (cut <= 0) {
                return lines.getOrDefault("", 0);
            }
            at = at.substring(0, cut);
        }
    }
}
