package io.dpuoffload.crd.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The committed CRDs in {@code crds/}, by kind: validates any of the project's resources against its own. */
public final class CrdSchemas {
    private final Map<String, CrdSchema> byKind;

    private CrdSchemas(Map<String, CrdSchema> byKind) {
        this.byKind = byKind;
    }

    /** The CRDs in the repository's {@code crds/}. */
    public static CrdSchemas committed() {
        return in(RepoFiles.crds());
    }

    public static CrdSchemas in(Path dir) {
        Map<String, CrdSchema> byKind = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(
                            f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml"))
                    .sorted()
                    .toList()) {
                CrdSchema schema = CrdSchema.of(file);
                byKind.put(schema.kind(), schema);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new CrdSchemas(byKind);
    }

    public CrdSchema forKind(String kind) {
        CrdSchema schema = byKind.get(kind);
        if (schema == null) {
            throw new IllegalArgumentException("no CRD for kind " + kind + " (have " + byKind.keySet() + ")");
        }
        return schema;
    }

    /** What the API server would refuse in {@code resource}, by its own kind's schema. */
    public List<String> validate(JsonNode resource) {
        return forKind(resource.path("kind").asText()).validate(resource);
    }

    /** What the API server would refuse in {@code resourceYaml} (one object). */
    public List<String> validate(String resourceYaml) {
        return validate(Resources.parseOne(resourceYaml));
    }

    public boolean hasKind(String kind) {
        return byKind.containsKey(kind);
    }
}
