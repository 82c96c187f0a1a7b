package io.dpuoffload.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads fields of a YAML tree with messages that name the field by its path ({@code
 * exports[1].path}) and say what is expected. Unknown fields are errors: a typo must not silently
 * turn into a default.
 */
public final class YamlFields {
    private static final com.fasterxml.jackson.databind.ObjectMapper YAML =
            new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());

    /** The root of a YAML document; broken YAML is refused with its line. */
    public static YamlFields parse(String yaml) {
        try {
            return new YamlFields(YAML.readTree(yaml), "");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConfigException("not valid YAML: " + e.getOriginalMessage() + " (line "
                    + e.getLocation().getLineNr() + ")");
        }
    }

    /** Reads {@code file} and parses it with {@code parser}; every error names the file. */
    public static <T> T load(java.nio.file.Path file, java.util.function.Function<String, T> parser) {
        String text;
        try {
            text = java.nio.file.Files.readString(file);
        } catch (java.io.IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
        try {
            return parser.apply(text);
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + e.getMessage(), e);
        }
    }

    private final JsonNode node;
    private final String path;

    public YamlFields(JsonNode node, String path) {
        this.node = node;
        this.path = path;
        if (node == null || !node.isObject()) {
            throw new ConfigException(where() + ": expected a mapping of fields");
        }
    }

    public void allowOnly(Set<String> names) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!names.contains(name)) {
                throw new ConfigException(field(name) + ": unknown field; expected one of " + String.join(", ", names));
            }
        }
    }

    public String requiredText(String name, String example) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            throw new ConfigException(field(name) + ": missing; e.g. " + name + ": " + example);
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new ConfigException(field(name) + ": must be a non-empty string, e.g. " + name + ": " + example);
        }
        return value.asText();
    }

    public String optionalText(String name, String fallback) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isTextual()) {
            throw new ConfigException(field(name) + ": must be a string");
        }
        return value.asText();
    }

    public boolean optionalBoolean(String name, boolean fallback) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw new ConfigException(field(name) + ": must be true or false, got " + value);
        }
        return value.asBoolean();
    }

    public int optionalInt(String name, int fallback, int min, int max) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < min || value.asInt() > max) {
            throw new ConfigException(
                    field(name) + ": must be a whole number from " + min + " to " + max + ", got " + value);
        }
        return value.asInt();
    }

    /** "500ms", "2s", "1m" or an ISO-8601 duration. */
    public Duration optionalDuration(String name, Duration fallback) {
        String text = optionalText(name, null);
        if (text == null) {
            return fallback;
        }
        String lower = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (lower.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(lower.substring(0, lower.length() - 2)));
            }
            if (lower.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(lower.substring(0, lower.length() - 1)));
            }
            if (lower.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(lower.substring(0, lower.length() - 1)));
            }
            if (lower.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(lower.substring(0, lower.length() - 1)));
            }
            return Duration.parse(text);
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new ConfigException(field(name) + ": '" + text + "' is not a duration; use e.g. 500ms, 2s, 1m or 2h");
        }
    }

    public List<YamlFields> objects(String name, boolean required) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            if (required) {
                throw new ConfigException(field(name) + ": missing; list at least one entry");
            }
            return List.of();
        }
        if (!value.isArray()) {
            throw new ConfigException(field(name) + ": must be a list");
        }
        List<YamlFields> items = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            items.add(new YamlFields(value.get(i), field(name) + "[" + i + "]"));
        }
        return items;
    }

    public List<String> texts(String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            throw new ConfigException(field(name) + ": must be a list of strings");
        }
        List<String> items = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isTextual()) {
                throw new ConfigException(field(name) + "[" + i + "]: must be a string");
            }
            items.add(value.get(i).asText());
        }
        return items;
    }

    public YamlFields object(String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : new YamlFields(value, field(name));
    }

    public Iterator<String> fieldNames() {
        return node.fieldNames();
    }

    public String field(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    public String where() {
        return path.isEmpty() ? "the configuration" : path;
    }
}
