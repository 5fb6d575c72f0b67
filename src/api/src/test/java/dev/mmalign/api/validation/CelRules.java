package dev.mmalign.api.validation;

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
 * Evaluates a CRD's {@code x-kubernetes-validations} rules the way the API server does: with the real CEL
 * implementation, {@code self} bound to the value at the schema node that carries the rule.
 */
final class CelRules {

    private final CelCompiler compiler = CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("self", SimpleType.DYN)
            .build();
    private final CelRuntime runtime = CelRuntimeFactory.standardCelRuntimeBuilder().build();
    private final Map<String, CelRuntime.Program> programs = new ConcurrentHashMap<>();

    /** True when {@code rule} holds for {@code self}; throws when the rule does not compile or evaluate. */
    boolean holds(String rule, JsonNode self) {
        try {
            Object result = program(rule).eval(Map.of("self", toCel(self)));
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

    /** JSON to CEL values: objects are maps, arrays lists, integers int64, other numbers doubles. */
    static Object toCel(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return dev.cel.common.values.NullValue.NULL_VALUE;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> map.put(e.getKey(), toCel(e.getValue())));
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(e -> list.add(toCel(e)));
            return list;
        }
        if (node.isIntegralNumber()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        return node.asText();
    }
}
