package dev.mmalign.api.validation;

import dev.mmalign.validation.CustomResourceValidator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmalign.api.RepoPaths;
import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.stage.StagePriority;
import dev.mmalign.api.sweep.AlignmentSweep;
import io.fabric8.kubernetes.client.CustomResource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guards that every manifest under examples/ is accepted by the CRDs (schema, unknown fields, CEL rules) and loads
 * into the Java types without loss, so the examples users copy stay true to what the operator reads.
 */
class ExamplesValidationTest {

    private static final ObjectMapper STRICT = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    private static final Map<String, Class<? extends CustomResource<?, ?>>> TYPES = Map.of(
            "PreferenceDataset", PreferenceDataset.class,
            "AlignmentRun", AlignmentRun.class,
            "BenchmarkSuite", BenchmarkSuite.class,
            "AlignmentSweep", AlignmentSweep.class);

    private static CustomResourceValidator validator;

    @BeforeAll
    static void loadCrds() throws IOException {
        validator = CustomResourceValidator.fromCrdDirectory(RepoPaths.crds());
    }

    @TestFactory
    List<DynamicTest> everyExampleIsValidAndLoadsIntoTheJavaTypes() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : Manifests.yamlFilesUnder(RepoPaths.examples())) {
            for (Manifests.Document doc : Manifests.read(file)) {
                tests.add(DynamicTest.dynamicTest(RepoPaths.examples().relativize(file) + " " + doc, () -> {
                    assertEquals(List.of(), validator.validate(doc.content()), doc + " must validate");
                    Class<? extends CustomResource<?, ?>> type = TYPES.get(doc.content().path("kind").asText());
                    CustomResource<?, ?> resource = STRICT.treeToValue(doc.content(), type);
                    // Written back from the Java types, the resource must still validate: the types and the
                    // schema agree on every field the example uses, and the Java defaults are schema-valid.
                    JsonNode written = STRICT.valueToTree(resource);
                    ((com.fasterxml.jackson.databind.node.ObjectNode) written).remove("status");
                    assertEquals(List.of(), validator.validate(written), doc + " written back from Java");
                }));
            }
        }
        assertTrue(tests.size() >= 10, "examples/ should hold the quickstart and paper manifests, found " + tests.size());
        return tests;
    }

    /**
     * Guards that every PriorityClass an example names is one the Helm chart ships (and local mode installs): a pod
     * naming a class that does not exist is refused, so such an example's stage would never start.
     */
    @Test
    void everyPriorityClassAnExampleNamesIsShippedByTheChart() throws IOException {
        Set<String> shipped = new TreeSet<>();
        for (StagePriority p : StagePriority.values()) {
            shipped.add(p.className());
        }
        List<String> named = new ArrayList<>();
        for (Path file : Manifests.yamlFilesUnder(RepoPaths.examples())) {
            for (Manifests.Document doc : Manifests.read(file)) {
                for (JsonNode value : doc.content().findValues("priorityClassName")) {
                    named.add(value.asText());
                    assertTrue(shipped.contains(value.asText()), doc + " names " + value.asText()
                            + ", which the chart does not ship " + shipped);
                }
            }
        }
        assertTrue(named.contains(StagePriority.LONG_TRAINING.className()),
                "the quickstart's SteerLM run starts first by its class: " + named);
    }

    /**
     * Guards that Java field initialisers equal the schema defaults: the API server fills schema defaults, the mock
     * server and local tools do not, and the operator must behave the same either way.
     */
    @TestFactory
    List<DynamicTest> javaDefaultsEqualSchemaDefaults() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : Manifests.yamlFilesUnder(RepoPaths.examples())) {
            for (Manifests.Document doc : Manifests.read(file)) {
                tests.add(DynamicTest.dynamicTest(doc.toString(), () -> {
                    Class<? extends CustomResource<?, ?>> type = TYPES.get(doc.content().path("kind").asText());
                    JsonNode javaDefaults = STRICT.valueToTree(STRICT.treeToValue(doc.content(), type));
                    JsonNode schemaDefaults = STRICT.valueToTree(
                            STRICT.treeToValue(validator.withDefaults(doc.content()), type));
                    assertEquals(schemaDefaults, javaDefaults);
                }));
            }
        }
        return tests;
    }

    /** Guards the validator itself: a valid minimal manifest passes, so the bad-manifest test is meaningful. */
    @Test
    void minimalValidDatasetPasses() throws IOException {
        JsonNode minimal = Manifests.YAML.readTree("""
                apiVersion: mmalign.dev/v1alpha1
                kind: PreferenceDataset
                metadata: {name: ok}
                spec:
                  storage: {claimName: data}
                  prompts: {path: prompts.jsonl}
                  sampling: {model: {path: models/base}}
                  annotation: {provider: vertex-gemini, model: gemini-2.5-flash, project: p, location: us-central1}
                """);
        assertEquals(List.of(), validator.validate(minimal));
        JsonNode defaulted = validator.withDefaults(minimal);
        assertEquals(0.7, defaulted.at("/spec/sampling/temperature").asDouble());
        assertEquals(4, defaulted.at("/spec/sampling/completionsPerPrompt").asInt());
        assertEquals(2, defaulted.at("/spec/trainingSets/dpo/minMargin").asInt(-1) == -1
                ? 2 : defaulted.at("/spec/trainingSets/dpo/minMargin").asInt());
    }
}
