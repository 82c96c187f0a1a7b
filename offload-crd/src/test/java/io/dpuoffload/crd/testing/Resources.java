package io.dpuoffload.crd.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Kubernetes objects as YAML text or files (one or more documents), read as Jackson trees. */
public final class Resources {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Resources() {}

    /** Every document of {@code yaml} that is not empty. */
    public static List<JsonNode> parse(String yaml) {
        try (MappingIterator<JsonNode> documents =
                YAML.readerFor(JsonNode.class).readValues(yaml)) {
            return documents.readAll().stream()
                    .filter(node -> node != null && !node.isNull() && !node.isMissingNode() && !node.isEmpty())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("not YAML: " + e.getMessage(), e);
        }
    }

    /** The one object in {@code yaml}. */
    public static JsonNode parseOne(String yaml) {
        List<JsonNode> objects = parse(yaml);
        if (objects.size() != 1) {
            throw new IllegalArgumentException("expected one object, found " + objects.size());
        }
        return objects.getFirst();
    }

    public static List<JsonNode> read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code kind/name}, how the tests name an object in their messages. */
    public static String id(JsonNode object) {
        return object.path("kind").asText() + "/"
                + object.path("metadata").path("name").asText();
    }

    public static String toYaml(Object value) {
        try {
            return YAML.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
