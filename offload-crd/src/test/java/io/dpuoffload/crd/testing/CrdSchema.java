package io.dpuoffload.crd.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.oas.OpenApi30;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One CRD's schema, checked the way the API server checks a resource at {@code kubectl apply}: its
 * {@code openAPIV3Schema} by a JSON-schema validator, with unknown fields rejected, and its {@code
 * x-kubernetes-validations} rules by CEL ({@link CelRules}). The Fabric8 mock server the operator's
 * tests run against does neither, so this is where a wrong resource is proven to be refused.
 *
 * <p>Emulating the API server: a structural schema has no {@code additionalProperties: false} (it
 * may not sit beside {@code properties}), yet the server drops or, with kubectl's default strict
 * field validation, rejects fields the schema does not name; so every object schema with {@code
 * properties} gets {@code additionalProperties: false} here, unless it preserves unknown fields.
 * The server checks {@code apiVersion}, {@code kind} and {@code metadata} itself; they are added to
 * the root's properties.
 */
public final class CrdSchema {
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(
            SpecVersion.VersionFlag.V4, builder -> builder.metaSchema(OpenApi30.getInstance())
                    .defaultMetaSchemaIri(OpenApi30.getInstance().getIri()));

    private final String kind;
    private final String apiVersion;
    private final JsonNode openApiSchema;
    private final JsonSchema strict;
    private final CelRules rules;

    private CrdSchema(JsonNode crd) {
        JsonNode version = crd.at("/spec/versions/0");
        this.kind = crd.at("/spec/names/kind").asText();
        this.apiVersion =
                crd.at("/spec/group").asText() + "/" + version.path("name").asText();
        this.openApiSchema = version.at("/schema/openAPIV3Schema");
        if (!openApiSchema.isObject()) {
            throw new IllegalArgumentException("CRD " + kind + " has no openAPIV3Schema");
        }
        this.strict = FACTORY.getSchema(asTheApiServerChecks(openApiSchema));
        this.rules = new CelRules(openApiSchema);
    }

    /** The CRD in {@code file} (the first version's schema: the CRDs have one version). */
    public static CrdSchema of(Path file) {
        return new CrdSchema(Resources.read(file).getFirst());
    }

    public String kind() {
        return kind;
    }

    public String apiVersion() {
        return apiVersion;
    }

    /** How many CEL rules the schema carries, at every level. */
    public int ruleCount() {
        return rules.count();
    }

    /** The CRD's schema as generated, without this class's additions. */
    public JsonNode openApiSchema() {
        return openApiSchema;
    }

    /** What the API server would refuse in {@code resourceYaml} (one object); empty when it is accepted. */
    public List<String> validate(String resourceYaml) {
        return validate(Resources.parseOne(resourceYaml));
    }

    /** What the API server would refuse in {@code resource}, each problem naming its field; empty when accepted. */
    public List<String> validate(JsonNode resource) {
        List<String> problems = new ArrayList<>();
        if (!apiVersion.equals(resource.path("apiVersion").asText())) {
            problems.add("apiVersion: is " + resource.path("apiVersion") + ", " + kind + " is " + apiVersion);
        }
        if (!kind.equals(resource.path("kind").asText())) {
            problems.add("kind: is " + resource.path("kind") + ", this schema is " + kind + "'s");
        }
        if (resource.path("metadata").path("name").asText().isEmpty()) {
            problems.add("metadata.name: required");
        }
        for (ValidationMessage message : strict.validate(resource)) {
            problems.add(message.getMessage());
        }
        problems.addAll(rules.check(resource));
        return problems;
    }

    private static JsonNode asTheApiServerChecks(JsonNode schema) {
        ObjectNode copy = schema.deepCopy();
        rejectUnknownFields(copy);
        ObjectNode properties = copy.with("properties");
        properties.putObject("apiVersion").put("type", "string");
        properties.putObject("kind").put("type", "string");
        properties.putObject("metadata").put("type", "object");
        return copy;
    }

    private static void rejectUnknownFields(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.has("properties")
                    && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)
                    && !object.has("additionalProperties")) {
                object.put("additionalProperties", false);
            }
            object.forEach(CrdSchema::rejectUnknownFields);
        } else if (node instanceof ArrayNode array) {
            array.forEach(CrdSchema::rejectUnknownFields);
        }
    }
}
