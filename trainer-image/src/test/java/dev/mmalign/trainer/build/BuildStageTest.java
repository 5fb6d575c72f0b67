package dev.mmalign.trainer.build;

import dev.mmalign.trainer.stage.FakePolicyModel;
import dev.mmalign.trainer.stage.PolicyModelLoader;
import dev.mmalign.trainer.stage.StageFixture;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.api.dataset.AnnotationSpec;
import dev.mmalign.api.dataset.HumanRatingsSpec;
import dev.mmalign.api.dataset.JudgeAgreementFile;
import dev.mmalign.api.dataset.TrainingSetsSpec;
import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.data.AnnotationRecord;
import dev.mmalign.trainer.data.CompletionRecord;
import dev.mmalign.trainer.data.DpoPairRecord;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.data.SftExampleRecord;
import dev.mmalign.trainer.data.Usage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guards the build stage's files, counts and statistics, and the resumable reference log-prob cache. */
class BuildStageTest {

    @TempDir
    Path root;
    StageFixture fx;

    @BeforeEach
    void setUp() throws Exception {
        fx = new StageFixture(root);
        Files.createDirectories(root.resolve("images"));
        List<PromptRecord> prompts = new ArrayList<>();
        List<CompletionRecord> completions = new ArrayList<>();
        List<AnnotationRecord> annotations = new ArrayList<>();
        int[][] scores = {{4, 0, 2}, {3, 3, 3}, {4, 1, 1}, {2, 0, 4}};
        for (int i = 0; i < scores.length; i++) {
            dev.mmalign.trainer.data.TestImages.png(root.resolve("images/i" + i + ".png"));
            prompts.add(new PromptRecord("p" + i, "i" + i + ".png", "Q" + i, i == 3 ? null : "gold" + i, null, null));
            for (int j = 0; j < 3; j++) {
                String id = "p" + i + "#" + j;
                completions.add(new CompletionRecord("p" + i, id, "c" + i + j, "m", 0.7, 1L));
                int s = scores[i][j];
                annotations.add(new AnnotationRecord("p" + i, id, Map.of("helpfulness", s, "correctness", s,
                        "coherence", s, "complexity", 2, "verbosity", 2), "r", "oracle", Usage.NONE));
            }
        }
        // A fifth prompt with only one of its completions rated: not usable, counted.
        prompts.add(new PromptRecord("p4", "i0.png", "Q4", null, null, null));
        completions.add(new CompletionRecord("p4", "p4#0", "x", "m", 0.7, 1L));
        completions.add(new CompletionRecord("p4", "p4#1", "y", "m", 0.7, 1L));
        annotations.add(new AnnotationRecord("p4", "p4#0", Map.of("helpfulness", 1, "correctness", 1,
                "coherence", 1, "complexity", 1, "verbosity", 1), null, "oracle", Usage.NONE));
        fx.writeJsonl("ds/prompts.jsonl", prompts);
        fx.writeJsonl("ds/completions/completions-00000-of-00001.jsonl", completions);
        fx.writeJsonl("ds/annotations/annotations-00000-of-00001.jsonl", annotations);
        // A duplicate record from a rerun in another shard layout must not count twice.
        fx.writeJsonl("ds/annotations/annotations-00000-of-00002.jsonl", annotations.subList(0, 3));
    }

    private StageSpec spec() {
        StageSpec spec = fx.spec(StageName.build, "ds/sets");
        spec.paths.inputs.put("prompts", "ds/prompts.jsonl");
        spec.paths.inputs.put("completions", "ds/completions");
        spec.paths.inputs.put("annotations", "ds/annotations");
        spec.paths.inputs.put("imageRoot", "images");
        spec.paths.inputs.put("model", "models/base");
        spec.trainingSets = new TrainingSetsSpec();
        return spec;
    }

    @Test
    void writesAllFourSetsWithCountsStatisticsAndReferenceLogps() throws Exception {
        FakePolicyModel model = new FakePolicyModel();
        assertEquals(ExitCodes.SUCCESS, fx.run(spec(), new BuildStage(model.loader())));
        List<DpoPairRecord> pairs = JsonlReader.readAll(root.resolve("ds/sets/dpo.jsonl"), DpoPairRecord.class, null);
        // p0: 12 vs {0, 6} -> pair; p1: all equal -> none; p2: 12 vs 3 -> pair; p3: 12 vs {6, 0} -> pair.
        assertEquals(List.of("p0", "p2", "p3"), pairs.stream().map(DpoPairRecord::id).toList());
        assertEquals(-"c00".length(), pairs.get(0).refChosenLogp());
        assertEquals(6, model.logProbCalls.get());
        StageResult r = fx.result(spec());
        assertEquals(3L, r.counts.get("dpoPairs"));
        assertEquals(1L, r.counts.get("promptsWithoutPair"));
        assertEquals(4L, r.counts.get("annotated"));
        assertEquals(1L, r.counts.get("promptsPartlyAnnotated"));
        assertEquals(4L, r.counts.get("rejectionSampling"));
        assertEquals(12L, r.counts.get("steerLM"));
        assertEquals(3L, r.counts.get("goldSFT"));
        assertEquals(2.0, r.metrics.get("mean/complexity"));
        assertTrue(r.metrics.get("dpo/meanMargin") >= 6.0);
        List<SftExampleRecord> steer = JsonlReader.readAll(root.resolve("ds/sets/steerLM.jsonl"),
                SftExampleRecord.class, null);
        assertTrue(steer.get(0).prompt().contains("Helpfulness:4,Correctness:4"));
        assertEquals("ds/sets/dpo.jsonl", r.artifacts.get("dpo"));
    }

    @Test
    void rerunReusesCachedReferenceLogpsAndComputesOnlyMissingOnes() throws Exception {
        assertEquals(ExitCodes.SUCCESS, fx.run(spec(), new BuildStage(new FakePolicyModel().loader())));
        Path cache = root.resolve("ds/sets/" + BuildStage.REFERENCE_CACHE);
        List<String> lines = Files.readAllLines(cache);
        Files.writeString(cache, lines.get(0) + "\n" + lines.get(1).substring(0, 10)); // killed mid-write
        FakePolicyModel again = new FakePolicyModel();
        assertEquals(ExitCodes.SUCCESS, fx.run(spec(), new BuildStage(again.loader())));
        assertEquals(4, again.logProbCalls.get(), "two pairs recomputed, one reused");
        assertEquals(1L, fx.result(spec()).counts.get("referenceLogpsReused"));
        assertEquals(3, Files.readAllLines(cache).size());
    }

    @Test
    void pairsRecordWhichReferenceModelComputedThemAndAnotherModelDoesNotReuseTheCache() throws Exception {
        assertEquals(ExitCodes.SUCCESS, fx.run(spec(), new BuildStage(new FakePolicyModel().loader())));
        List<DpoPairRecord> pairs = JsonlReader.readAll(root.resolve("ds/sets/dpo.jsonl"), DpoPairRecord.class, null);
        Path base = root.resolve("models/base");
        for (DpoPairRecord p : pairs) {
            assertEquals(new DpoPairRecord.ReferenceModel(base.toString(), "fake:" + base), p.referenceModel());
        }
        assertTrue(Files.readString(root.resolve("ds/sets/dpo.jsonl")).contains(
                "\"" + dev.mmalign.api.dataset.ReferenceStamp.FIELD + "\":{\"path\":"));
        // Another reference model: nothing cached by the first may be reused.
        StageSpec other = spec();
        other.paths.inputs.put("model", "models/other");
        FakePolicyModel again = new FakePolicyModel();
        assertEquals(ExitCodes.SUCCESS, fx.run(other, new BuildStage(again.loader())));
        assertEquals(6, again.logProbCalls.get(), "all three pairs recomputed");
        assertEquals(0L, fx.result(other).counts.get("referenceLogpsReused"));
    }

    @Test
    void precomputingWithoutAModelIsAConfigurationError() throws Exception {
        StageSpec spec = spec();
        spec.paths.inputs.remove("model");
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(spec, new BuildStage(new FakePolicyModel().loader())));
        spec.trainingSets.dpo.precomputeReferenceLogProbs = false;
        assertEquals(ExitCodes.SUCCESS, fx.run(spec, new BuildStage(PolicyModelLoader.unavailable())));
    }

    @Test
    void anAnnotationOfAnUnknownCompletionPromptIsInvalidInput() throws Exception {
        fx.writeJsonl("ds/completions/completions-00001-of-00002.jsonl",
                List.of(new CompletionRecord("ghost", "ghost#0", "t", "m", 0.7, 1L)));
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(spec(), new BuildStage(new FakePolicyModel().loader())));
        assertTrue(fx.result(spec()).message.contains("completions-00001-of-00002.jsonl:1: completion ghost#0 "
                + "refers to unknown prompt ghost"));
    }

    // ---- bad and empty inputs: exit 2 naming file:line, nothing lost ----

    private static final String ANNOTATIONS = "ds/annotations/annotations-00000-of-00001.jsonl";

    /** Inserts {@code bad} as line {@code at} (1-based) of a file, keeping every other line. */
    private void insertLine(String relative, int at, String bad) throws Exception {
        Path file = root.resolve(relative);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.add(at - 1, bad);
        Files.write(file, lines);
    }

    @Test
    void aCorruptAnnotationLineIsInvalidInputNamingFileAndLine() throws Exception {
        insertLine(ANNOTATIONS, 2, "{\"promptId\": \"p0\", \"completionId\": ");
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(spec(), new BuildStage(new FakePolicyModel().loader())));
        assertTrue(fx.result(spec()).message.contains("annotations-00000-of-00001.jsonl:2"),
                fx.result(spec()).message);
    }

    @Test
    void aRatingOffTheScaleIsInvalidInputNamingFileAndLine() throws Exception {
        insertLine(ANNOTATIONS, 3, "{\"promptId\":\"p1\",\"completionId\":\"p1#0\",\"ratings\":{\"helpfulness\":7}}");
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(spec(), new BuildStage(new FakePolicyModel().loader())));
        String message = fx.result(spec()).message;
        assertTrue(message.contains("annotations-00000-of-00001.jsonl:3") && message.contains("helpfulness=7"),
                message);
    }

    @Test
    void aCorruptPromptLineIsInvalidInputNamingFileAndLine() throws Exception {
        insertLine("ds/prompts.jsonl", 4, "[1, 2");
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(spec(), new BuildStage(new FakePolicyModel().loader())));
        assertTrue(fx.result(spec()).message.contains("prompts.jsonl:4"), fx.result(spec()).message);
    }

    /** Guards the issue's "empty inputs are an error": zero usable ratings must not become empty training sets. */
    @Test
    void annotationsWithNoUsableRatingsAreInvalidInputNotEmptySets() throws Exception {
        Files.writeString(root.resolve(ANNOTATIONS), "");
        Files.delete(root.resolve("ds/annotations/annotations-00000-of-00002.jsonl"));
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(spec(), new BuildStage(new FakePolicyModel().loader())));
        assertTrue(fx.result(spec()).message.contains("no prompt has all its completions rated"),
                fx.result(spec()).message);
        assertFalse(Files.exists(root.resolve("ds/sets/dpo.jsonl")), "no empty set written");
    }

    @Test
    void onlyPartlyRatedPromptsAreInvalidInputToo() throws Exception {
        // Keep just p4's single rating: one usable rating, but no prompt with all its completions rated.
        List<String> lines = Files.readAllLines(root.resolve(ANNOTATIONS));
        Files.writeString(root.resolve(ANNOTATIONS), lines.get(lines.size() - 1) + "\n");
        Files.delete(root.resolve("ds/annotations/annotations-00000-of-00002.jsonl"));
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(spec(), new BuildStage(new FakePolicyModel().loader())));
        assertTrue(fx.result(spec()).message.contains("1 prompts partly rated"), fx.result(spec()).message);
    }

    @Test
    void anEmptyPromptsFileIsInvalidInput() throws Exception {
        Files.writeString(root.resolve("ds/prompts.jsonl"), "");
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(spec(), new BuildStage(new FakePolicyModel().loader())));
    }

    /** A failed rerun leaves the inputs and the sets of the last good build as they were. */
    @Test
    void aFailedRebuildLosesNothing() throws Exception {
        assertEquals(ExitCodes.SUCCESS, fx.run(spec(), new BuildStage(new FakePolicyModel().loader())));
        byte[] dpo = Files.readAllBytes(root.resolve("ds/sets/dpo.jsonl"));
        insertLine(ANNOTATIONS, 5, "not json");
        byte[] annotations = Files.readAllBytes(root.resolve(ANNOTATIONS));
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(spec(), new BuildStage(new FakePolicyModel().loader())));
        assertArrayEquals(dpo, Files.readAllBytes(root.resolve("ds/sets/dpo.jsonl")));
        assertArrayEquals(annotations, Files.readAllBytes(root.resolve(ANNOTATIONS)));
    }

    // ---- judge-human agreement ----

    /**
     * People rate six judged completions (p0 and p2, helpfulness = correctness = coherence, complexity and verbosity
     * 2 like the judge) and one the judge never rated (p4#1). The judge's helpfulness: 4 0 2 | 4 1 1; the people's:
     * 4 1 2 | 3 1 3. Exact: items 1, 3, 5 = 3/6; within one: all but the last (|1-3| = 2) = 5/6. Complexity is 2 on
     * both sides for all: exact 1, and no correlation (constant).
     */
    private StageSpec specWithHumanRatings() throws Exception {
        int[] human = {4, 1, 2, 3, 1, 3};
        String[] ids = {"p0#0", "p0#1", "p0#2", "p2#0", "p2#1", "p2#2"};
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            String p = ids[i].substring(0, 2);
            String text = "c" + p.charAt(1) + ids[i].charAt(3);
            // HelpSteer's own shape: matched by question and response text.
            rows.add(String.format("{\"prompt\":\"Q%s\",\"response\":\"%s\",\"helpfulness\":%d,\"correctness\":%d,"
                    + "\"coherence\":%d,\"complexity\":2,\"verbosity\":2}", p.charAt(1), text, human[i], human[i],
                    human[i]));
        }
        rows.add("{\"completionId\":\"p4#1\",\"ratings\":{\"helpfulness\":2,\"correctness\":2,\"coherence\":2,"
                + "\"complexity\":2,\"verbosity\":2}}");
        Files.write(root.resolve("human.jsonl"), rows);
        StageSpec spec = spec();
        spec.annotation = new AnnotationSpec();
        spec.annotation.humanRatings = new HumanRatingsSpec();
        spec.annotation.humanRatings.path = "human.jsonl";
        return spec;
    }

    @Test
    void humanRatingsGiveAgreementFiguresInTheResultAndAgreementJsonBesideTheAnnotations() throws Exception {
        StageSpec spec = specWithHumanRatings();
        assertEquals(ExitCodes.SUCCESS, fx.run(spec, new BuildStage(new FakePolicyModel().loader())));
        StageResult r = fx.result(spec);
        assertEquals(0.5, r.metrics.get(JudgeAgreementFile.metricKey("helpfulness", "exactMatch")), 1e-12);
        assertEquals(5.0 / 6, r.metrics.get(JudgeAgreementFile.metricKey("helpfulness", "withinOne")), 1e-12);
        assertEquals(6.0, r.metrics.get(JudgeAgreementFile.metricKey("helpfulness", "n")));
        assertEquals(1.0, r.metrics.get(JudgeAgreementFile.metricKey("complexity", "exactMatch")));
        assertNull(r.metrics.get(JudgeAgreementFile.metricKey("complexity", "spearman")), "undefined, not 0 or NaN");
        assertEquals("ds/annotations/" + ArtifactLayout.AGREEMENT_FILE, r.artifacts.get("agreement"));

        JudgeAgreementFile file = dev.mmalign.trainer.data.Json.MAPPER.readValue(
                root.resolve("ds/annotations").resolve(ArtifactLayout.AGREEMENT_FILE).toFile(), JudgeAgreementFile.class);
        assertEquals("human.jsonl", file.humanRatings);
        assertEquals(7L, file.humanRatingsRows);
        assertEquals(6L, file.completionsCompared);
        assertEquals(1L, file.completionsNotJudged);
        assertEquals(List.of("helpfulness", "correctness", "coherence", "complexity", "verbosity"),
                new ArrayList<>(file.attributes.keySet()));
        // confusion[human][judge]: (4,4) (1,0) (2,2) (3,4) (1,1) (3,1)
        assertEquals(List.of(
                List.of(0L, 0L, 0L, 0L, 0L),
                List.of(1L, 1L, 0L, 0L, 0L),
                List.of(0L, 0L, 1L, 0L, 0L),
                List.of(0L, 1L, 0L, 0L, 1L),
                List.of(0L, 0L, 0L, 0L, 1L)), file.attributes.get("helpfulness").confusion);
        JsonNode raw = dev.mmalign.trainer.data.Json.MAPPER.readTree(
                root.resolve("ds/annotations").resolve(ArtifactLayout.AGREEMENT_FILE).toFile());
        assertTrue(raw.path("attributes").path("complexity").path("spearman").isMissingNode());
    }

    /**
     * Guards agreement on a response people rated that was never sampled: a row naming prompt p2 and a text of its
     * own (line 8) is compared with the judge's rating of it from the annotate stage's judged-human-rated file. Its
     * helpfulness is 2 on both sides, so with the six above: exact 4/7, within one 6/7.
     */
    @Test
    void anUnsampledResponsePeopleRatedIsComparedWithTheJudgesRatingOfIt() throws Exception {
        StageSpec spec = specWithHumanRatings();
        Files.writeString(root.resolve("human.jsonl"), "{\"promptId\":\"p2\",\"response\":\"my own answer\","
                + "\"helpfulness\":2,\"correctness\":2,\"coherence\":2,\"complexity\":2,\"verbosity\":2}\n",
                java.nio.file.StandardOpenOption.APPEND);
        String id = dev.mmalign.trainer.annotate.ImportedRatings.unsampledId("p2", 8);
        Files.writeString(root.resolve("ds/annotations/" + ArtifactLayout.JUDGED_HUMAN_RATED_PREFIX
                + "-00000-of-00001.jsonl"), dev.mmalign.trainer.data.Json.line(new AnnotationRecord("p2", id,
                Map.of("helpfulness", 2, "correctness", 2, "coherence", 2, "complexity", 2, "verbosity", 2), null,
                "oracle", dev.mmalign.trainer.data.Usage.NONE)) + "\n");
        assertEquals(ExitCodes.SUCCESS, fx.run(spec, new BuildStage(new FakePolicyModel().loader())));
        StageResult r = fx.result(spec);
        assertEquals(4.0 / 7, r.metrics.get(JudgeAgreementFile.metricKey("helpfulness", "exactMatch")), 1e-12);
        assertEquals(6.0 / 7, r.metrics.get(JudgeAgreementFile.metricKey("helpfulness", "withinOne")), 1e-12);
        assertEquals(7.0, r.metrics.get(JudgeAgreementFile.metricKey("helpfulness", "n")));
    }

    @Test
    void aHumanRatingOfNoSampledCompletionIsInvalidInputNamingFileAndLine() throws Exception {
        StageSpec spec = specWithHumanRatings();
        insertLine("human.jsonl", 3, "{\"completionId\":\"nope#0\",\"helpfulness\":1}");
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(spec, new BuildStage(new FakePolicyModel().loader())));
        assertTrue(fx.result(spec).message.contains("human.jsonl:3"), fx.result(spec).message);
    }

    @Test
    void humanRatingsOfOnlyUnjudgedCompletionsAreInvalidInput() throws Exception {
        StageSpec spec = specWithHumanRatings();
        List<String> lines = Files.readAllLines(root.resolve("human.jsonl"));
        Files.writeString(root.resolve("human.jsonl"), lines.get(lines.size() - 1) + "\n");
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(spec, new BuildStage(new FakePolicyModel().loader())));
        assertTrue(fx.result(spec).message.contains("was rated by the judge"), fx.result(spec).message);
    }
}
