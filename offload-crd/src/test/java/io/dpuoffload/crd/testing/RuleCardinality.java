package io.dpuoffload.crd.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * How many times the API server assumes each {@code x-kubernetes-validations} rule of a CRD may run
 * in one request, computed as it does when it accepts the CRD: the product of {@code maxItems} and
 * {@code maxProperties} of every list and map above the rule, or, if any of them is unbounded, as
 * many of the rule's objects as fit in a 3 MiB request at their smallest. The server refuses a CRD
 * whose rule's estimated cost times this exceeds {@link #RULE_COST_LIMIT}, so a rule in an unbounded
 * list must be very cheap (kubectl apply -f crds/ fails otherwise, and no test here runs a server).
 * The rule's own cost is CEL's estimate, which this class does not compute.
 */
public final class RuleCardinality {
    /** The API server's request size limit, which bounds what an unbounded list can hold. */
    static final long MAX_REQUEST_BYTES = 3L * 1024 * 1024;

    /** The API server's limit on one rule's estimated cost times its cardinality (StaticEstimatedCostLimit). */
    public static final long RULE_COST_LIMIT = 10_000_000L;

    /** Where a rule is, the rule, and its cardinality. */
    public record Site(String path, String rule, long cardinality) {
        /** The most CEL may estimate this rule's cost at for the API server to accept the CRD. */
        public long costBudget() {
            return RULE_COST_LIMIT / cardinality;
        }
    }

    private RuleCardinality() {}

    public static List<Site> of(JsonNode openApiSchema) {
        List<Site> sites = new ArrayList<>();
        walk(openApiSchema, "", 1L, sites);
        return sites;
    }

    /** @param bound the product of the limits above, or null when some list or map above is unbounded */
    private static void walk(JsonNode schema, String path, Long bound, List<Site> sites) {
        for (JsonNode validation : schema.path("x-kubernetes-validations")) {
            long cardinality = bound != null ? bound : MAX_REQUEST_BYTES / (minSerializedSize(schema) + 1);
            sites.add(new Site(
                    path.isEmpty() ? "<root>" : path, validation.path("rule").asText(), cardinality));
        }
        schema.path("properties")
                .properties()
                .forEach(property -> walk(property.getValue(), join(path, property.getKey()), bound, sites));
        if (schema.path("items").isObject()) {
            walk(schema.get("items"), path + "[]", times(bound, schema.path("maxItems")), sites);
        }
        if (schema.path("additionalProperties").isObject()) {
            walk(schema.get("additionalProperties"), path + "[*]", times(bound, schema.path("maxProperties")), sites);
        }
    }

    private static Long times(Long bound, JsonNode limit) {
        return bound == null || !limit.isNumber() ? null : bound * limit.asLong();
    }

    /**
     * The smallest JSON a value of {@code schema} can be: an object's braces and its required
     * properties (without defaults), {@code ""} for a string, {@code []} for a list.
     */
    static long minSerializedSize(JsonNode schema) {
        switch (schema.path("type").asText()) {
            case "object" -> {
                long size = 2;
                for (JsonNode required : schema.path("required")) {
                    JsonNode property = schema.path("properties").path(required.asText());
                    if (!property.has("default")) {
                        size += required.asText().length() + minSerializedSize(property) + 4;
                    }
                }
                return size;
            }
            case "string", "array" -> {
                return 2;
            }
            case "boolean" -> {
                return 4;
            }
            default -> {
                return 1;
            }
        }
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
