package dev.mmalign.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Validates custom resources against their CustomResourceDefinitions as kube-apiserver does on create, update and
 * patch: unknown fields pruned (or, with strict field validation, reported), schema defaults filled in, then the
 * structural schema and the CEL {@code x-kubernetes-validations} rules checked, every violation naming its field.
 *
 * <pre>{@code
 * CustomResourceValidator v = CustomResourceValidator.fromCrdDirectory(Path.of("crds"));
 * CustomResourceValidator.Result r = v.admit(manifest);   // manifest: apiVersion, kind, metadata, spec
 * r.violations();   // empty when valid; r.object() is what the API server would store
 * }</pre>
 */
public final class CustomResourceValidator {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The outcome for one object: the object as it would be stored, pruned fields, violations. */
    public record Result(JsonNode object, List<String> prunedFields, List<Violation> violations) {

        /** Violations plus, under strict field validation, one per pruned field: what kubectl apply reports. */
        public List<Violation> strictViolations() {
            List<Violation> all = new ArrayList<>();
            prunedFields.forEach(f -> all.add(Violation.unknownField(f)));
            all.addAll(violations);
            return all;
        }
    }

    /** openAPIV3Schema per "group/version/Kind". */
    private final Map<String, JsonNode> schemas = new HashMap<>();
    private final CelRules cel = new CelRules();
    private final StructuralSchema walker = new StructuralSchema(cel);

    private CustomResourceValidator() {}

    /** From the CRD manifests (.yaml/.yml) of a folder, e.g. the repository's crds/. */
    public static CustomResourceValidator fromCrdDirectory(Path dir) throws IOException {
        List<JsonNode> crds = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().matches(".*\\.ya?ml$")).sorted().toList()) {
                crds.add(YAML.readTree(f.toFile()));
            }
        }
        return fromCrds(crds);
    }

    /**
     * From CustomResourceDefinition objects (as JSON trees). Every CEL rule is compiled here, so that a CRD whose
     * rule does not compile fails now, not on the first object.
     */
    public static CustomResourceValidator fromCrds(List<JsonNode> crds) {
        CustomResourceValidator v = new CustomResourceValidator();
        for (JsonNode crd : crds) {
            String group = crd.path("spec").path("group").asText();
            String kind = crd.path("spec").path("names").path("kind").asText();
            for (JsonNode version : crd.path("spec").path("versions")) {
                JsonNode schema = version.path("schema").path("openAPIV3Schema");
                v.schemas.put(group + "/" + version.path("name").asText() + "/" + kind, schema);
                schema.findValues("x-kubernetes-validations")
                        .forEach(rules -> rules.forEach(r -> v.cel.compile(r.path("rule").asText())));
            }
        }
        return v;
    }

    /** Whether a CRD defines {@code apiVersion} ("group/version") and {@code kind}. */
    public boolean knows(String apiVersion, String kind) {
        return schemas.containsKey(apiVersion + "/" + kind);
    }

    /** The openAPIV3Schema of a kind, e.g. for serving OpenAPI documents. */
    public Optional<JsonNode> schema(String apiVersion, String kind) {
        return Optional.ofNullable(schemas.get(apiVersion + "/" + kind));
    }

    /**
     * Prunes, defaults and validates a copy of {@code manifest}; the argument is not modified.
     *
     * @throws IllegalArgumentException when no CRD defines the manifest's apiVersion and kind
     */
    public Result admit(JsonNode manifest) {
        String apiVersion = manifest.path("apiVersion").asText();
        String kind = manifest.path("kind").asText();
        JsonNode schema = schemas.get(apiVersion + "/" + kind);
        if (schema == null) {
            throw new IllegalArgumentException("no CRD defines apiVersion " + apiVersion + ", kind " + kind);
        }
        JsonNode object = manifest.deepCopy();
        List<String> pruned = walker.prune(schema, object, "");
        walker.applyDefaults(schema, object);
        List<Violation> violations = new ArrayList<>();
        walker.validate(schema, object, "", violations);
        return new Result(object, List.copyOf(pruned), List.copyOf(violations));
    }

    /** The strict check of a manifest file, as {@code kubectl apply} against a real cluster: "field: message" each. */
    public List<String> validate(JsonNode manifest) {
        if (!knows(manifest.path("apiVersion").asText(), manifest.path("kind").asText())) {
            return List.of("apiVersion/kind: no CRD defines " + manifest.path("apiVersion").asText() + "/"
                    + manifest.path("kind").asText());
        }
        return admit(manifest).strictViolations().stream().map(Violation::toString).toList();
    }

    /** The object as the API server would store it: unknown fields pruned, defaults filled in. */
    public JsonNode withDefaults(JsonNode manifest) {
        return admit(manifest).object();
    }
}
