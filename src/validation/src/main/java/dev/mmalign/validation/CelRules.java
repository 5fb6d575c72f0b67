package dev.mmalign.validation;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Evaluates a CRD's {@code x-kubernetes-validations} rules the way kube-apiserver does: with Google's CEL
 * implementation, {@code self} bound to the value at the schema node that carries the rule. {@code self} is declared
 * dynamic; values are converted with the schema's types ({@code number} fields as doubles even when written as
 * integers, as the API server does), so numeric comparisons behave as there.
 */
final class CelRules {

    private final CelCompiler compiler = CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("self", SimpleType.DYN)
            .build();
    private final CelRuntime runtime = CelRuntimeFactory.standardCelRuntimeBuilder().build();
    /** Compiled once per rule text: the rules of all CRDs are a few dozen. */
    private final Map<String, CelRuntime.Program> programs = new ConcurrentHashMap<>();

    /** Throws when {@code rule} does not compile, so that a broken CRD fails when it is loaded. */
    void compile(String rule) {
        program(rule);
    }

    /** True when {@code rule} holds for {@code self} (of schema {@code schema}); throws when it cannot evaluate. */
    boolean holds(String rule, JsonNode schema, JsonNode self) {
        try {
            Object result = program(rule).eval(Map.of("self", toCel(schema, self)));
            if (!(result instanceof Boolean b)) {
                throw new IllegalStateException("rule '" + rule + "' returned " + result + ", not a boolean");
            }
            return b;
        } catch (CelEvaluationException e) {
            throw new IllegalStateException("rule '" + rule + "' failed to evaluate: " + e.getMessage(), e);
        }
    }

    private CelRuntime.Program program(String rule) {
        return programs.computeIfAbsent(rule, r -> {
            try {
                CelAbstractSyntaxTree ast = compiler.compile(r).getAst();
                return runtime.createProgram(ast);
            } catch (CelValidationException | CelEvaluationException e) {
                throw new IllegalStateException("rule '" + r + "' does not compile: " + e.getMessage(), e);
            }
        });
    }

    /** JSON to CEL values: objects are maps, arrays lists, integers int64, {@code number} fields doubles. */
    static Object toCel(JsonNode schema, JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return dev.cel.common.values.NullValue.NULL_VALUE;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> map.put(e.getKey(), toCel(childSchema(schema, e.getKey()), e.getValue())));
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(e -> list.add(toCel(schema == null ? null : schema.get("items"), e)));
            return list;
        }
        if (node.isNumber()) {
            boolean number = schema != null && "number".equals(schema.path("type").asText());
            return node.isIntegralNumber() && !number ? (Object) node.longValue() : (Object) node.doubleValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        return node.asText();
    }

    private static JsonNode childSchema(JsonNode schema, String field) {
        if (schema == null) {
            return null;
        }
        JsonNode p = schema.path("properties").get(field);
        return p != null ? p : (schema.path("additionalProperties").isObject() ? schema.get("additionalProperties") : null);
    }
}
