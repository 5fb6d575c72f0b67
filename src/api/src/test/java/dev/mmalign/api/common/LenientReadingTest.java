package dev.mmalign.api.common;

import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.Method;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guards that the three kinds are read from whatever the API server stored, through the same serialisation the
 * operator's informers use: a value of the wrong type is reported with its path instead of failing the read.
 */
class LenientReadingTest {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private static final String DATASET = """
            {"apiVersion":"mmalign.dev/v1alpha1","kind":"PreferenceDataset","metadata":{"name":"d","namespace":"n"},
             "spec":{"storage":{"claimName":"c"},"prompts":{"path":"p.jsonl"},
                     "sampling":{"model":{"path":"m"},%s},
                     "annotation":{"provider":"oracle"}}}""";

    private static PreferenceDataset dataset(String sampling) {
        return SERIALIZATION.unmarshal(DATASET.formatted(sampling), PreferenceDataset.class);
    }

    private static AlignmentRun run(String extra) {
        return SERIALIZATION.unmarshal("""
                {"apiVersion":"mmalign.dev/v1alpha1","kind":"AlignmentRun","metadata":{"name":"r","namespace":"n"},
                 "spec":{"method":"DPO","storage":{"claimName":"c"},"baseModel":{"path":"m"},
                         "dataset":{"name":"d"}%s}}""".formatted(extra), AlignmentRun.class);
    }

    @Test
    void aStringWhereANumberBelongsIsNamedAndTheRestIsRead() {
        PreferenceDataset ds = dataset("\"temperature\":\"hot\",\"completionsPerPrompt\":6");
        assertEquals(List.of("spec.sampling.temperature: \"hot\" is not a number"), ds.specProblems());
        assertEquals(6, ds.getSpec().sampling.completionsPerPrompt);
        assertEquals("c", ds.getSpec().storage.claimName);
    }

    @Test
    void aFractionIsNotTruncatedToAnInteger() {
        PreferenceDataset ds = dataset("\"completionsPerPrompt\":2.5");
        assertEquals(List.of("spec.sampling.completionsPerPrompt: 2.5 is not an integer"), ds.specProblems());
    }

    @Test
    void enumsAreCaseSensitiveAndListTheirValues() {
        AlignmentRun r = SERIALIZATION.unmarshal("""
                {"apiVersion":"mmalign.dev/v1alpha1","kind":"AlignmentRun","metadata":{"name":"r"},
                 "spec":{"method":"dpo","storage":{"claimName":"c"}}}""", AlignmentRun.class);
        assertEquals(List.of("spec.method: \"dpo\" is not one of DPO, SFT, RejectionSampling, SteerLM"),
                r.specProblems());
    }

    @Test
    void aStringIsNotABoolean() {
        assertEquals(List.of("spec.suspend: \"yes\" is not true or false"), run(",\"suspend\":\"yes\"").specProblems());
    }

    @Test
    void unknownFieldsAndNullsAreDroppedAsTheApiServerWouldPruneThem() {
        AlignmentRun r = run(",\"learningRateTypo\":1,\"suspend\":null");
        assertEquals(List.of(), r.specProblems());
        assertEquals(Method.DPO, r.getSpec().method);
        assertFalse(r.getSpec().suspend, "a null takes the default");
        PreferenceDataset unknownTop = SERIALIZATION.unmarshal("""
                {"apiVersion":"mmalign.dev/v1alpha1","kind":"PreferenceDataset","metadata":{"name":"d"},
                 "surprise":{"a":1},"spec":{}}""", PreferenceDataset.class);
        assertEquals(List.of(), unknownTop.specProblems());
    }

    @Test
    void aSpecThatIsNoObjectIsReportedAndReadAsEmpty() {
        BenchmarkSuite b = SERIALIZATION.unmarshal("""
                {"apiVersion":"mmalign.dev/v1alpha1","kind":"BenchmarkSuite","metadata":{"name":"b"},
                 "spec":"everything"}""", BenchmarkSuite.class);
        assertEquals(List.of("spec: \"everything\" is not an object"), b.specProblems());
        assertNotNull(b.getSpec());
    }

    @Test
    void aStatusThatDoesNotFitIsDroppedNotFatal() {
        AlignmentRun r = SERIALIZATION.unmarshal("""
                {"apiVersion":"mmalign.dev/v1alpha1","kind":"AlignmentRun","metadata":{"name":"r"},
                 "spec":{"method":"SFT"},"status":{"phase":"Sideways","observedGeneration":3}}""", AlignmentRun.class);
        assertEquals(3L, r.getStatus().observedGeneration);
        assertEquals(null, r.getStatus().phase);
    }

    @Test
    void aReplacedSpecHasNoProblemsOfTheOldOne() {
        PreferenceDataset bad = dataset("\"temperature\":\"hot\"");
        bad.setSpec(dataset("\"temperature\":0.9").getSpec());
        assertEquals(List.of(), bad.specProblems());
    }

    @Test
    void aHugeValueIsElidedInItsProblem() {
        String huge = "x".repeat(1_000_000);
        String problem = dataset("\"temperature\":\"" + huge + "\"").specProblems().get(0);
        assertTrue(problem.length() < 200, problem.length() + " characters");
        assertTrue(problem.contains("characters left out)…"), problem);
        assertTrue(problem.endsWith("xxx\" is not a number"), problem);
    }

    @Test
    void severalProblemsAreAllReported() {
        PreferenceDataset ds = dataset("\"temperature\":\"hot\",\"topP\":true,\"shards\":\"2\"");
        assertEquals(3, ds.specProblems().size(), ds.specProblems().toString());
    }
}
