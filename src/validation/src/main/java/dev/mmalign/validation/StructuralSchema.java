package dev.mmalign.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The three walks kube-apiserver makes over a custom resource with its CRD's openAPIV3Schema, in its order: prune
 * unknown fields, fill defaults, validate (types, enums, bounds, patterns, required, sizes, set-lists, then the CEL
 * rules of every node whose subtree passed the schema). Field paths are dotted ({@code spec.models[0].name}).
 */
final class StructuralSchema {

    private static final Set<String> ROOT_FIELDS = Set.of("apiVersion", "kind", "metadata");
    private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

    private final CelRules cel;

    StructuralSchema(CelRules cel) {
        this.cel = cel;
    }

    /** Removes fields the schema does not know, in place; returns their paths. */
    List<String> prune(JsonNode schema, JsonNode value, String path) {
        List<String> pruned = new ArrayList<>();
        prune(schema, value, path, pruned);
        return pruned;
    }

    private void prune(JsonNode schema, JsonNode value, String path, List<String> pruned) {
        if (value == null || schema == null) {
            return;
        }
        if (value.isObject()) {
            if (path.equals("metadata")) {
                return; // ObjectMeta is validated by the API machinery, not by the CRD schema
            }
            JsonNode properties = schema.path("properties");
            boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String child = join(path, field.getKey());
                if (properties.has(field.getKey())) {
                    prune(properties.get(field.getKey()), field.getValue(), child, pruned);
                } else if (schema.path("additionalProperties").isObject()) {
                    prune(schema.get("additionalProperties"), field.getValue(), child, pruned);
                } else if (!preserve && !(path.isEmpty() && ROOT_FIELDS.contains(field.getKey()))) {
                    pruned.add(child);
                    it.remove();
                }
            }
        } else if (value.isArray()) {
            value.forEach(item -> prune(schema.get("items"), item, path, pruned));
        }
    }

    /** Fills absent properties that have a schema default, recursively, in place. */
    void applyDefaults(JsonNode schema, JsonNode value) {
        if (value == null || schema == null) {
            return;
        }
        if (value.isObject()) {
            ObjectNode object = (ObjectNode) value;
            schema.path("properties").fields().forEachRemaining(p -> {
                if (!object.has(p.getKey()) && p.getValue().has("default")) {
                    object.set(p.getKey(), p.getValue().get("default").deepCopy());
                }
                applyDefaults(p.getValue(), object.get(p.getKey()));
            });
            if (schema.path("additionalProperties").isObject()) {
                object.fields().forEachRemaining(e -> applyDefaults(schema.get("additionalProperties"), e.getValue()));
            }
        } else if (value.isArray()) {
            value.forEach(item -> applyDefaults(schema.get("items"), item));
        }
    }

    /** Adds the violations of {@code value} at {@code path}; returns whether the subtree passed the schema. */
    boolean validate(JsonNode schema, JsonNode value, String path, List<Violation> out) {
        int before = out.size();
        String field = path.isEmpty() ? "<root>" : path;
        if (value == null || value.isNull()) {
            if (!schema.path("nullable").asBoolean(false)) {
                out.add(Violation.invalid(field, "null", field + " in body must be of type "
                        + schema.path("type").asText("object") + ": \"null\""));
            }
            return out.size() == before;
        }
        String type = schema.path("type").asText("");
        if (!type.isEmpty() && !hasType(schema, type, value)) {
            out.add(Violation.invalid(field, typeOf(value), field + " in body must be of type " + type + ": \""
                    + typeOf(value) + "\""));
            return false;
        }
        if (schema.has("enum")) {
            boolean found = false;
            List<String> supported = new ArrayList<>();
            for (JsonNode e : schema.get("enum")) {
                found |= e.equals(value) || (e.isNumber() && value.isNumber() && e.decimalValue().compareTo(value.decimalValue()) == 0);
                supported.add(e.isTextual() ? "\"" + e.asText() + "\"" : e.toString());
            }
            if (!found) {
                out.add(Violation.unsupported(field, scalar(value), String.join(", ", supported)));
            }
        }
        if (value.isNumber()) {
            checkBounds(schema, value, field, out);
        } else if (value.isTextual()) {
            checkString(schema, value.asText(), field, out);
        } else if (value.isObject()) {
            checkObject(schema, value, path, field, out);
        } else if (value.isArray()) {
            checkArray(schema, value, path, field, out);
        }
        boolean valid = out.size() == before;
        if (valid) {
            // CEL rules assume a schema-valid subtree, as in the API server.
            for (JsonNode rule : schema.path("x-kubernetes-validations")) {
                if (!cel.holds(rule.path("rule").asText(), schema, value)) {
                    String message = rule.hasNonNull("message") ? rule.get("message").asText()
                            : "failed rule: " + rule.path("rule").asText();
                    String at = rule.hasNonNull("fieldPath")
                            ? join(path, rule.get("fieldPath").asText().replaceFirst("^\\.", "")) : field;
                    out.add(Violation.invalid(at, value.isObject() ? "object" : scalar(value), message));
                }
            }
        }
        return out.size() == before;
    }

    private void checkBounds(JsonNode schema, JsonNode value, String field, List<Violation> out) {
        double v = value.doubleValue();
        Object shown = scalar(value);
        if (schema.has("minimum")) {
            double min = schema.get("minimum").doubleValue();
            boolean exclusive = schema.path("exclusiveMinimum").asBoolean(false);
            if (exclusive ? v <= min : v < min) {
                out.add(Violation.invalid(field, shown, field + " in body should be greater than "
                        + (exclusive ? "" : "or equal to ") + plain(schema.get("minimum"))));
            }
        }
        if (schema.has("maximum")) {
            double max = schema.get("maximum").doubleValue();
            boolean exclusive = schema.path("exclusiveMaximum").asBoolean(false);
            if (exclusive ? v >= max : v > max) {
                out.add(Violation.invalid(field, shown, field + " in body should be less than "
                        + (exclusive ? "" : "or equal to ") + plain(schema.get("maximum"))));
            }
        }
    }

    private static void checkString(JsonNode schema, String s, String field, List<Violation> out) {
        if (schema.has("maxLength") && s.length() > schema.get("maxLength").asLong()) {
            out.add(Violation.tooLong(field, schema.get("maxLength").asLong()));
            return; // no pattern matching over a huge string
        }
        if (schema.has("minLength") && s.length() < schema.get("minLength").asLong()) {
            out.add(Violation.invalid(field, s, field + " in body should be at least "
                    + schema.get("minLength").asLong() + " chars long"));
        }
        if (schema.has("pattern")) {
            String regex = schema.get("pattern").asText();
            if (!PATTERNS.computeIfAbsent(regex, Pattern::compile).matcher(s).find()) {
                out.add(Violation.invalid(field, s, field + " in body should match '" + regex + "'"));
            }
        }
    }

    private void checkObject(JsonNode schema, JsonNode value, String path, String field, List<Violation> out) {
        for (JsonNode required : schema.path("required")) {
            if (!value.has(required.asText())) {
                out.add(Violation.required(join(path, required.asText())));
            }
        }
        if (schema.has("maxProperties") && value.size() > schema.get("maxProperties").asInt()) {
            out.add(Violation.tooMany(field, value.size(), schema.get("maxProperties").asLong()));
        }
        if (schema.has("minProperties") && value.size() < schema.get("minProperties").asInt()) {
            out.add(Violation.invalid(field, value.size(), field + " in body should have at least "
                    + schema.get("minProperties").asInt() + " properties"));
        }
        if (path.equals("metadata")) {
            return;
        }
        JsonNode properties = schema.path("properties");
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (properties.has(f.getKey())) {
                validate(properties.get(f.getKey()), f.getValue(), join(path, f.getKey()), out);
            } else if (schema.path("additionalProperties").isObject()) {
                validate(schema.get("additionalProperties"), f.getValue(), join(path, f.getKey()), out);
            }
        }
    }

    private void checkArray(JsonNode schema, JsonNode value, String path, String field, List<Violation> out) {
        if (schema.has("maxItems") && value.size() > schema.get("maxItems").asInt()) {
            out.add(Violation.tooMany(field, value.size(), schema.get("maxItems").asLong()));
        }
        if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) {
            out.add(Violation.invalid(field, value.size(), field + " in body should have at least "
                    + schema.get("minItems").asInt() + " items"));
        }
        if ("set".equals(schema.path("x-kubernetes-list-type").asText())) {
            Set<JsonNode> seen = new HashSet<>();
            for (int i = 0; i < value.size(); i++) {
                if (!seen.add(value.get(i))) {
                    out.add(Violation.duplicate(path + "[" + i + "]", scalar(value.get(i))));
                }
            }
        }
        if (schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                validate(schema.get("items"), value.get(i), path + "[" + i + "]", out);
            }
        }
    }

    private static boolean hasType(JsonNode schema, String type, JsonNode value) {
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            return value.isTextual() || value.isIntegralNumber();
        }
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber()
                    || (value.isNumber() && value.doubleValue() == Math.rint(value.doubleValue()));
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            default -> true;
        };
    }

    private static String typeOf(JsonNode value) {
        if (value.isObject()) return "object";
        if (value.isArray()) return "array";
        if (value.isTextual()) return "string";
        if (value.isIntegralNumber()) return "integer";
        if (value.isNumber()) return "number";
        if (value.isBoolean()) return "boolean";
        return "null";
    }

    private static Object scalar(JsonNode value) {
        if (value.isTextual()) return value.asText();
        if (value.isContainerNode()) return typeOf(value);
        if (value.isNumber()) return value.numberValue();
        return value.booleanValue();
    }

    private static String plain(JsonNode n) {
        return n.isIntegralNumber() || n.doubleValue() != Math.rint(n.doubleValue()) ? n.toString()
                : String.valueOf(n.longValue());
    }

    static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
