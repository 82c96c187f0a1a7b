package io.dpuoffload.api.yaml;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.deser.ValueInstantiator;
import io.dpuoffload.api.validation.Problem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns what Jackson cannot bind (an unknown field, a value of the wrong kind, text that is no
 * enum constant or duration) into a {@link Problem} with the field's path and line, and lets the
 * binding go on with null there: one reading reports every such problem, not only the first.
 */
final class ProblemCollector extends DeserializationProblemHandler {
    private final List<Problem> problems = new ArrayList<>();

    List<Problem> problems() {
        return List.copyOf(problems);
    }

    @Override
    public boolean handleUnknownProperty(
            DeserializationContext context,
            JsonParser parser,
            JsonDeserializer<?> deserializer,
            Object beanOrClass,
            String name)
            throws IOException {
        Collection<Object> known = deserializer.getKnownPropertyNames();
        add(
                parser,
                "unknown field; expected one of "
                        + known.stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")));
        parser.skipChildren();
        return true;
    }

    @Override
    public Object handleWeirdStringValue(
            DeserializationContext context, Class<?> target, String value, String failure) {
        String quoted = "\"" + value + "\"";
        if (target.isEnum()) {
            add(context.getParser(), quoted + " is not one of " + String.join(", ", names(target)));
        } else if (ApiModule.TYPES.contains(target)) {
            add(context.getParser(), quoted + " is " + failure); // the module's own message, with the forms

        } else {
            add(context.getParser(), quoted + " is not " + kind(target));
        }
        return null;
    }

    @Override
    public Object handleWeirdNumberValue(
            DeserializationContext context, Class<?> target, Number value, String failure) {
        add(context.getParser(), value + " is not " + kind(target));
        return null;
    }

    @Override
    public Object handleWeirdKey(DeserializationContext context, Class<?> target, String key, String failure) {
        add(context.getParser(), "\"" + key + "\" is not " + kind(target));
        return null;
    }

    @Override
    public Object handleUnexpectedToken(
            DeserializationContext context, JavaType target, JsonToken token, JsonParser parser, String failure)
            throws IOException {
        add(parser, "must be " + kind(target.getRawClass()));
        parser.skipChildren();
        return null;
    }

    @Override
    public Object handleMissingInstantiator(
            DeserializationContext context,
            Class<?> target,
            ValueInstantiator instantiator,
            JsonParser parser,
            String failure)
            throws IOException {
        add(parser, "must be " + kind(target));
        parser.skipChildren();
        return null;
    }

    @Override
    public Object handleInstantiationProblem(
            DeserializationContext context, Class<?> target, Object argument, Throwable problem) throws IOException {
        for (Throwable cause = problem; cause != null; cause = cause.getCause()) {
            if (cause instanceof com.fasterxml.jackson.core.JsonParseException broken) {
                throw broken; // broken YAML is the document's problem, not this record's
            }
        }
        add(context.getParser(), reason(problem));
        return null;
    }

    /** A record's own check (a health check of no kind) says what is wrong; Jackson's wrapping does not. */
    static String reason(Throwable problem) {
        String message = problem instanceof com.fasterxml.jackson.core.JsonProcessingException jackson
                ? jackson.getOriginalMessage()
                : problem.getMessage();
        for (Throwable cause = problem; cause != null; cause = cause.getCause()) {
            if (cause instanceof IllegalArgumentException) {
                message = cause.getMessage();
            }
        }
        return message;
    }

    private void add(JsonParser parser, String message) {
        problems.add(new Problem(
                pathOf(parser), message, parser.currentTokenLocation().getLineNr()));
    }

    /** The field the parser is at, as a path from the document's top: {@code daemons[1].restart}. */
    static String pathOf(JsonParser parser) {
        JsonStreamContext context = parser.getParsingContext();
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
            context = context.getParent(); // the value's own context is open already
        }
        List<String> parts = new ArrayList<>();
        for (; context != null && !context.inRoot(); context = context.getParent()) {
            if (context.inArray()) {
                parts.addFirst("[" + context.getCurrentIndex() + "]");
            } else if (context.getCurrentName() != null) {
                parts.addFirst("." + context.getCurrentName());
            }
        }
        String path = String.join("", parts);
        return path.startsWith(".") ? path.substring(1) : path;
    }

    /** An enum's constants as written in YAML (their {@code @JsonProperty} names). */
    static List<String> names(Class<?> type) {
        return Arrays.stream(type.getEnumConstants())
                .map(constant -> {
                    try {
                        JsonProperty name =
                                type.getField(((Enum<?>) constant).name()).getAnnotation(JsonProperty.class);
                        return name == null ? constant.toString() : name.value();
                    } catch (NoSuchFieldException e) {
                        return constant.toString();
                    }
                })
                .toList();
    }

    private static String kind(Class<?> type) {
        if (type.isEnum()) {
            return "one of " + String.join(", ", names(type));
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        if (type == String.class) {
            return "text";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord() || type.isInterface()) {
            return "a mapping of fields";
        }
        return "a " + type.getSimpleName();
    }
}
