package io.dpuoffload.api.yaml;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpuoffload.api.validation.ConfigException;
import io.dpuoffload.api.validation.Problem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reads a document of the model (YAML, or JSON, which is YAML too) into its record and validates
 * it: every problem, from binding (unknown fields, wrong kinds of values) and from validation, is
 * reported at once with its field path and line, in a {@link ConfigException}.
 */
public final class SpecReader {
    private SpecReader() {}

    /** {@code file}'s document as {@code type}, validated; every error names the file. */
    public static <T> T read(Path file, Class<T> type, Function<T, List<Problem>> validation) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
        return read(text, file.toString(), type, validation);
    }

    /**
     * {@code text} as {@code type}, validated.
     *
     * @param source what the text is, for the message (a file); empty for none
     */
    public static <T> T read(String text, String source, Class<T> type, Function<T, List<Problem>> validation) {
        ObjectMapper yaml = Mappers.yaml();
        FieldLines lines = fieldLines(yaml, text);
        if (lines.broken.isPresent()) {
            throw new ConfigException(source, List.of(notYaml(lines.broken.get())));
        }
        if (lines.isEmpty()) {
            throw new ConfigException(source, List.of(new Problem("", "empty; the document needs its fields")));
        }
        ProblemCollector collector = new ProblemCollector();
        List<Problem> problems = new ArrayList<>();
        T value = null;
        try {
            value = yaml.readerFor(type).withHandler(collector).readValue(text);
        } catch (JsonMappingException e) {
            // what the collector could not let pass (a record's own check): the binding ends here
            problems.add(new Problem(pathOf(e), ProblemCollector.reason(e), lineOf(e)));
        } catch (JsonProcessingException e) {
            problems.add(notYaml(e));
        }
        problems.addAll(0, collector.problems());
        if (value == null && problems.isEmpty()) {
            problems.add(new Problem("", "must be a mapping of fields"));
        }
        if (value != null) {
            for (Problem problem : validation.apply(value)) {
                if (problems.stream().noneMatch(earlier -> within(problem.path(), earlier.path()))) {
                    problems.add(problem);
                }
            }
        }
        if (!problems.isEmpty()) {
            // Validation knows no lines, nor does Jackson for what it buffered (a record's unknown fields).
            throw new ConfigException(
                    source,
                    problems.stream()
                            .map(problem -> problem.line() > 0 ? problem : problem.atLine(lines.lineOf(problem.path())))
                            .toList());
        }
        return value;
    }

    /**
     * YAML that does not parse, in one line: the parser's message repeats the text with a caret
     * under it (indented lines) between the lines that say what is wrong.
     */
    private static Problem notYaml(JsonProcessingException e) {
        String message = e.getOriginalMessage()
                .lines()
                .filter(line -> !line.isBlank() && !Character.isWhitespace(line.charAt(0)))
                .collect(java.util.stream.Collectors.joining(": "));
        return new Problem("", "not valid YAML: " + message, lineOf(e));
    }

    /** A field that could not be bound is null in the record: validation's "missing" there says nothing new. */
    private static boolean within(String path, String bound) {
        return path.equals(bound) || path.startsWith(bound + ".") || path.startsWith(bound + "[");
    }

    private static FieldLines fieldLines(ObjectMapper yaml, String text) {
        try {
            return FieldLines.of(yaml.getFactory().createParser(text));
        } catch (IOException e) {
            throw new UncheckedIOException("a parser of a string cannot fail to open", e);
        }
    }

    private static String pathOf(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static int lineOf(JsonProcessingException e) {
        return e.getLocation() == null ? 0 : e.getLocation().getLineNr();
    }
}
