package io.dpuoffload.crd.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CRD's {@code x-kubernetes-validations} rules, evaluated as the API server does: each rule on
 * every value its schema node describes that is present in the resource, with {@code self} bound to
 * that value. A rule that is false gives its message; one that cannot be evaluated (a field it reads
 * is absent) is refused too, as the server refuses it. Kubernetes' own CEL libraries (quantities,
 * regexes over lists, ...) are not here: the project's rules use plain comparisons, {@code has} and
 * macros.
 */
final class CelRules {
    private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("self", SimpleType.DYN)
            .build();
    private static final CelRuntime RUNTIME =
            CelRuntimeFactory.standardCelRuntimeBuilder().build();

    private final JsonNode schema;
    private final Map<String, CelRuntime.Program> programs = new HashMap<>();

    /** Compiles every rule in {@code schema} now: a rule that does not compile fails here, not when first met. */
    CelRules(JsonNode schema) {
        this.schema = schema;
        compileAll(schema);
    }

    /** Every rule that refuses a part of {@code resource}, as {@code path: message}. */
    List<String> check(JsonNode resource) {
        List<String> problems = new ArrayList<>();
        walk(schema, resource, "", problems);
        return problems;
    }

    /** How many rules the schema carries (a test that finds none would prove nothing). */
    int count() {
        return countIn(schema);
    }

    private void walk(JsonNode schemaNode, JsonNode value, String path, List<String> problems) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return;
        }
        for (JsonNode validation : schemaNode.path("x-kubernetes-validations")) {
            String rule = validation.path("rule").asText();
            String failure = evaluate(rule, value);
            if (failure != null) {
                String message = validation.path("message").asText(failure);
                problems.add(
                        (path.isEmpty() ? "<root>" : path) + ": " + message + " (rule " + rule + ": " + failure + ")");
            }
        }
        if (value.isObject()) {
            schemaNode
                    .path("properties")
                    .properties()
                    .forEach(property -> walk(
                            property.getValue(),
                            value.get(property.getKey()),
                            join(path, property.getKey()),
                            problems));
            JsonNode additional = schemaNode.path("additionalProperties");
            if (additional.isObject()) {
                value.properties()
                        .forEach(entry ->
                                walk(additional, entry.getValue(), path + "[" + entry.getKey() + "]", problems));
            }
        } else if (value.isArray()) {
            JsonNode items = schemaNode.path("items");
            for (int i = 0; i < value.size(); i++) {
                walk(items, value.get(i), path + "[" + i + "]", problems);
            }
        }
    }

    /** Null when the rule holds; otherwise "false" or why it could not be evaluated. */
    private String evaluate(String rule, JsonNode self) {
        try {
            Object result = program(rule).eval(Map.of("self", toCel(self)));
            return Boolean.TRUE.equals(result) ? null : "false";
        } catch (CelEvaluationException e) {
            return "not evaluated: " + e.getMessage();
        }
    }

    private CelRuntime.Program program(String rule) {
        return programs.computeIfAbsent(rule, text -> {
            try {
                CelAbstractSyntaxTree ast = COMPILER.compile(text).getAst();
                return RUNTIME.createProgram(ast);
            } catch (CelValidationException | CelEvaluationException e) {
                throw new IllegalArgumentException(
                        "the CRD's rule does not compile: " + text + ": " + e.getMessage(), e);
            }
        });
    }

    /** A JSON value as CEL's runtime takes it: integers as long, objects as maps, absent nulls. */
    private static Object toCel(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.properties().forEach(entry -> {
                if (!entry.getValue().isNull()) {
                    map.put(entry.getKey(), toCel(entry.getValue()));
                }
            });
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(element -> list.add(toCel(element)));
            return list;
        }
        if (node.isIntegralNumber()) {
            return node.asLong();
        }
        if (node.isNumber()) {
            return node.asDouble();
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        return node.asText();
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    private static int countIn(JsonNode node) {
        int count = node.path("x-kubernetes-validations").size();
        for (JsonNode child : node) {
            if (child.isContainerNode()) {
                count += countIn(child);
            }
        }
        return count;
    }

    private void compileAll(JsonNode node) {
        for (JsonNode validation : node.path("x-kubernetes-validations")) {
            program(validation.path("rule").asText());
        }
        for (JsonNode child : node) {
            if (child.isContainerNode()) {
                compileAll(child);
            }
        }
    }
}
