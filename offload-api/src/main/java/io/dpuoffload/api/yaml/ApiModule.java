package io.dpuoffload.api.yaml;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * How the model's value types are written in YAML and JSON: durations as {@code 30s} ({@link
 * Durations}), paths as plain text (Jackson's own writes a {@code file://} URI), instants as
 * ISO-8601 text. A value that does not parse is handed to the problem handler, which names the
 * field and goes on.
 */
public final class ApiModule extends SimpleModule {
    /** The types this module reads; their problems say what is expected ("not a duration; write e.g. 30s"). */
    static final java.util.Set<Class<?>> TYPES = java.util.Set.of(Duration.class, Path.class, Instant.class);

    public ApiModule() {
        super("dpu-offload-api");
        addSerializer(Duration.class, new TextSerializer<>(Durations::format));
        addDeserializer(
                Duration.class,
                new TextDeserializer<>(
                        Duration.class,
                        text -> Durations.parse(text).orElse(null),
                        "not a duration; write e.g. " + Durations.FORMS));
        addSerializer(Path.class, new TextSerializer<>(Path::toString));
        addDeserializer(Path.class, new TextDeserializer<>(Path.class, ApiModule::path, "not a path"));
        addSerializer(Instant.class, new TextSerializer<>(Instant::toString));
        addDeserializer(
                Instant.class,
                new TextDeserializer<>(
                        Instant.class, ApiModule::instant, "not a time; write e.g. 2026-01-31T12:00:00Z"));
    }

    private static Path path(String text) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static final class TextSerializer<T> extends JsonSerializer<T> {
        private final java.util.function.Function<T, String> text;

        TextSerializer(java.util.function.Function<T, String> text) {
            this.text = text;
        }

        @Override
        public void serialize(T value, JsonGenerator out, SerializerProvider provider) throws IOException {
            out.writeString(text.apply(value));
        }
    }

    /** Reads a scalar's text; {@code parse} answers null for text that is not a value of the type. */
    private static final class TextDeserializer<T> extends JsonDeserializer<T> {
        private final Class<T> type;
        private final java.util.function.Function<String, T> parse;
        private final String problem;

        TextDeserializer(Class<T> type, java.util.function.Function<String, T> parse, String problem) {
            this.type = type;
            this.parse = parse;
            this.problem = problem;
        }

        @Override
        public T deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (!parser.currentToken().isScalarValue()) {
                return type.cast(context.handleUnexpectedToken(type, parser));
            }
            String text = parser.getValueAsString();
            T value = text == null ? null : parse.apply(text);
            if (value == null) {
                return type.cast(context.handleWeirdStringValue(type, parser.getText(), problem));
            }
            return value;
        }
    }
}
