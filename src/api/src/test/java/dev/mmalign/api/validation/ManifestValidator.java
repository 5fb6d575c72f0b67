package dev.mmalign.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Validates manifests against the committed CRDs as the API server would, since the mock API server does not:
 * schema defaults applied first, then the openAPIV3Schema (types, required, bounds, enums, patterns), unknown fields
 * (kubectl's strict field validation), and the CEL {@code x-kubernetes-validations} rules. Every error names the
 * field path, e.g. {@code spec.sampling.temperature: must have a maximum value of 2}.
 */
public final class ManifestValidator {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fields of every object that the CRD schema does not spell out. */
    private static final java.util.Set<String> ROOT_FIELDS = java.util.Set.of("apiVersion", "kind", "metadata");

    /** openAPIV3Schema per "group/version/Kind". */
    private final Map<String, JsonNode> schemas = new HashMap<>();
    private final Map<String, Schema> compiled = new HashMap<>();
    private final CelRules cel = new CelRules();

    private ManifestValidator() {}

    public static ManifestValidator fromCrdDirectory(Path dir) throws IOException {
        ManifestValidator v = new ManifestValidator();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
                JsonNode crd = YAML.readTree(f.toFile());
                String group = crd.path("spec").path("group").asText();
                String kind = crd.path("spec").path("names").path("kind").asText();
                for (JsonNode version : crd.path("spec").path("versions")) {
                    String key = group + "/" + version.path("name").asText() + "/" + kind;
                    JsonNode schema = version.path("schema").path("openAPIV3Schema");
                    v.schemas.put(key, schema);
                    v.compiled.put(key, SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
                            .getSchema(JSON.writeValueAsString(schema), InputFormat.JSON));
                }
            }
        }
        return v;
    }

    /** Errors of one manifest, each naming a field path; empty when valid. The manifest is not modified. */
    public List<String> validate(JsonNode manifest) {
        String key = manifest.path("apiVersion").asText() + "/" + manifest.path("kind").asText();
        JsonNode schema = schemas.get(key);
        if (schema == null) {
            return List.of("apiVersion/kind: no CRD defines " + key);
        }
        JsonNode object = manifest.deepCopy();
        applyDefaults(schema, object);
        List<String> errors = new ArrayList<>();
        try {
            for (Error e : compiled.get(key).validate(JSON.writeValueAsString(object), InputFormat.JSON)) {
                errors.add(fieldPath(e) + ": " + e.getMessage().replaceFirst("^\\S+: ", ""));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (errors.isEmpty()) {
            // CEL rules assume a schema-valid object, as in the API server.
            checkStructure(schema, object, "", errors);
        }
        return errors;
    }

    /** The object as the API server would store it: with the schema's defaults filled in. */
    public JsonNode withDefaults(JsonNode manifest) {
        String key = manifest.path("apiVersion").asText() + "/" + manifest.path("kind").asText();
        JsonNode object = manifest.deepCopy();
        applyDefaults(schemas.get(key), object);
        return object;
    }

    /** "/spec/models/0/name" or "$.spec.models[0].name" as "spec.models[0].name". */
    private static String fieldPath(Error e) {
        StringBuilder path = new StringBuilder();
        for (String segment : e.getInstanceLocation().toString().replaceFirst("^[$/.]+", "").split("[/.]")) {
            if (segment.isEmpty()) {
                continue;
            }
            if (segment.matches("\\d+")) {
                path.append('[').append(segment).append(']');
            } else {
                path.append(path.length() == 0 ? "" : ".").append(segment);
            }
        }
        if (e.getProperty() != null && "required".equals(e.getKeyword())) {
            path.append(path.length() == 0 ? "" : ".").append(e.getProperty());
        }
        return path.length() == 0 ? "(root)" : path.toString();
    }

    /** Fills absent properties that have a schema default, recursively, as the API server's defaulting does. */
    private static void applyDefaults(JsonNode schema, JsonNode value) {
        if (value == null || schema == null) {
            return;
        }
        if (value.isObject()) {
            ObjectNode object = (ObjectNode) value;
            JsonNode properties = schema.path("properties");
            properties.fields().forEachRemaining(p -> {
                if (!object.has(p.getKey()) && p.getValue().has("default")) {
                    object.set(p.getKey(), p.getValue().get("default").deepCopy());
                }
                applyDefaults(p.getValue(), object.get(p.getKey()));
            });
            if (schema.path("additionalProperties").isObject()) {
                object.fields().forEachRemaining(e -> applyDefaults(schema.get("additionalProperties"), e.getValue()));
            }
        } else if (value.isArray()) {
            value.forEach(item -> applyDefaults(schema.path("items"), item));
        }
    }

    /** Unknown fields and CEL rules, depth first, as the API server reports them. */
    private void checkStructure(JsonNode schema, JsonNode value, String path, List<String> errors) {
        if (value == null || value.isNull()) {
            return;
        }
        if (value.isObject()) {
            JsonNode properties = schema.path("properties");
            boolean open = schema.has("additionalProperties")
                    || schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)
                    || !schema.has("properties") || path.equals("metadata");
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String childPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                if (properties.has(field.getKey())) {
                    checkStructure(properties.get(field.getKey()), field.getValue(), childPath, errors);
                } else if (schema.path("additionalProperties").isObject()) {
                    checkStructure(schema.get("additionalProperties"), field.getValue(), childPath, errors);
                } else if (!open && !(path.isEmpty() && ROOT_FIELDS.contains(field.getKey()))) {
                    errors.add(childPath + ": unknown field \"" + field.getKey() + "\"");
                }
            }
        } else if (value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                checkStructure(schema.path("items"), value.get(i), path + "[" + i + "]", errors);
            }
        }
        for (JsonNode rule : schema.path("x-kubernetes-validations")) {
            if (!cel.holds(rule.path("rule").asText(), value)) {
                String message = rule.hasNonNull("message") ? rule.get("message").asText()
                        : "failed rule: " + rule.path("rule").asText();
                errors.add((path.isEmpty() ? "(root)" : path) + ": " + message);
            }
        }
    }
}
