package dev.mmalign.trainer.annotate;

import dev.mmalign.api.common.JudgeProvider;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.data.AnnotationRecord;
import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.judge.JudgeTuning;
import dev.mmalign.trainer.synthetic.PromptTruth;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.mmalign.trainer.annotate.AnnotateFixture.K;
import static dev.mmalign.trainer.annotate.AnnotateFixture.PROMPTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The import provider (validation with file and line) and the oracle provider (ratings from synthetic truth). */
class ImportAndOracleAnnotateTest {

    @TempDir
    Path root;
    AnnotateFixture data;

    @BeforeEach
    void setUp() throws Exception {
        data = new AnnotateFixture(root);
    }

    private int run(StageSpec spec) throws Exception {
        return data.fx.run(spec, new AnnotateStage(Map.of(), JudgeTuning.standard()));
    }

    private static Map<String, Object> rating(String completionId, int h) {
        Map<String, Object> ratings = new LinkedHashMap<>();
        for (String a : List.of("helpfulness", "correctness", "coherence", "complexity", "verbosity")) {
            ratings.put(a, h);
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("promptId", completionId.substring(0, completionId.indexOf('#')));
        row.put("completionId", completionId);
        row.put("ratings", ratings);
        return row;
    }

    @Test
    void importTakesValidatedRatingsInOurShapeAndHelpSteerShape() throws Exception {
        List<Object> rows = new ArrayList<>();
        for (int i = 0; i < PROMPTS - 1; i++) {
            for (int j = 0; j < K; j++) rows.add(rating("p" + i + "#" + j, j));
        }
        // The last prompt in HelpSteer's shape: matched by question and response text.
        for (int j = 0; j < K; j++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("prompt", "Is there a red circle in image 3?");
            row.put("response", "completion " + j + " of p3");
            for (String a : List.of("helpfulness", "correctness", "coherence", "complexity", "verbosity")) row.put(a, 3);
            rows.add(row);
        }
        data.fx.writeJsonl("import/ratings.jsonl", rows);
        StageSpec spec = data.spec(JudgeProvider.IMPORT);
        spec.annotation.importPath = "import/ratings.jsonl";
        assertEquals(ExitCodes.SUCCESS, run(spec));
        assertEquals(PROMPTS * K, data.annotations().size());
        assertEquals(3, data.annotations().stream().filter(a -> a.completionId().equals("p3#1")).findFirst()
                .orElseThrow().ratings().get("helpfulness"));
    }

    @Test
    void importWithAnOutOfRangeRatingFailsNamingFileAndLine() throws Exception {
        List<Object> rows = new ArrayList<>(List.of(rating("p0#0", 1), rating("p0#1", 9)));
        data.fx.writeJsonl("import/ratings.jsonl", rows);
        StageSpec spec = data.spec(JudgeProvider.IMPORT);
        spec.annotation.importPath = "import/ratings.jsonl";
        assertEquals(ExitCodes.INVALID_INPUT, run(spec));
        String message = data.fx.result(spec).message;
        assertEquals(root.resolve("import/ratings.jsonl") + ":2: helpfulness = 9 is not an integer 0-4", message);
    }

    @Test
    void importOfAnUnknownCompletionFailsNamingFileAndLine() throws Exception {
        data.fx.writeJsonl("import/ratings.jsonl", List.of(rating("p0#0", 1), rating("p9#0", 1)));
        StageSpec spec = data.spec(JudgeProvider.IMPORT);
        spec.annotation.importPath = "import/ratings.jsonl";
        assertEquals(ExitCodes.INVALID_INPUT, run(spec));
        assertTrue(data.fx.result(spec).message.endsWith(":2: unknown completionId p9#0"));
    }

    @Test
    void importThatRatesAPromptOnlyPartlyQuarantinesIt() throws Exception {
        List<Object> rows = new ArrayList<>();
        for (int i = 0; i < PROMPTS; i++) {
            for (int j = 0; j < K; j++) if (!(i == 1 && j == 2)) rows.add(rating("p" + i + "#" + j, 2));
        }
        data.fx.writeJsonl("import/ratings.jsonl", rows);
        StageSpec spec = data.spec(JudgeProvider.IMPORT);
        spec.annotation.importPath = "import/ratings.jsonl";
        assertEquals(ExitCodes.SUCCESS, run(spec));
        assertEquals(1, data.quarantined().size());
        assertTrue(data.quarantined().get(0).reason().contains("p1#2"));
    }

    @Test
    void oracleRatesFromTheTruthAndRejectsPromptsWithoutOne() throws Exception {
        writeRedCirclePromptsWithTruth();
        List<Object> completions = new ArrayList<>();
        for (int i = 0; i < PROMPTS; i++) {
            completions.add(new dev.mmalign.trainer.data.CompletionRecord("p" + i, "p" + i + "#0",
                    "Yes, there is a red circle.", "base", 0.7, 1L));
            completions.add(new dev.mmalign.trainer.data.CompletionRecord("p" + i, "p" + i + "#1",
                    "No, there is no red circle.", "base", 0.7, 1L));
        }
        data.fx.writeJsonl("ds/completions/completions-00000-of-00001.jsonl", completions);
        StageSpec spec = data.spec(JudgeProvider.ORACLE);
        assertEquals(ExitCodes.SUCCESS, run(spec));
        Map<String, AnnotationRecord> byId = new LinkedHashMap<>();
        data.annotations().forEach(a -> byId.put(a.completionId(), a));
        assertEquals(4, byId.get("p0#0").ratings().get("correctness"));
        assertEquals(0, byId.get("p0#1").ratings().get("correctness"));

        Files.writeString(root.resolve("ds/prompts.jsonl"), Files.readString(root.resolve("ds/prompts.jsonl"))
                .replaceFirst(",\"truth\":\\{[^}]*\\}", ""));
        Files.delete(root.resolve(AnnotateFixture.ANNOTATIONS));
        assertEquals(ExitCodes.INVALID_INPUT, run(spec));
        assertTrue(data.fx.result(spec).message.startsWith(root.resolve("ds/prompts.jsonl") + ":1: "));
    }

    /**
     * Guards judge-human agreement on responses people rated that were never sampled (HelpSteer-style): the annotate
     * stage has the judge (here the oracle) rate them into their own shard file under stable ids, leaves the sampled
     * completions' annotations as they were, and a rerun rates nothing twice. A row naming a sampled completion's
     * text rates that completion (nothing extra to judge).
     */
    @Test
    void responsesPeopleRatedThatWereNeverSampledAreJudgedApart() throws Exception {
        writeRedCirclePromptsWithTruth();
        Files.write(root.resolve("human.jsonl"), List.of(
                "{\"promptId\":\"p1\",\"response\":\"No, there is no red circle.\",\"helpfulness\":0,"
                        + "\"correctness\":0,\"coherence\":4,\"complexity\":1,\"verbosity\":1}",
                "{\"promptId\":\"p1\",\"response\":\"completion 0 of p1\",\"helpfulness\":1,"
                        + "\"correctness\":1,\"coherence\":1,\"complexity\":1,\"verbosity\":1}",
                "{\"prompt\":\"<image>\\nIs there a red circle in image 3?\",\"response\":\"Yes, there is a red "
                        + "circle.\",\"helpfulness\":4,\"correctness\":4,\"coherence\":4,\"complexity\":1,"
                        + "\"verbosity\":1}"));
        StageSpec spec = data.spec(JudgeProvider.ORACLE);
        spec.annotation.humanRatings = new dev.mmalign.api.dataset.HumanRatingsSpec();
        spec.annotation.humanRatings.path = "human.jsonl";
        assertEquals(ExitCodes.SUCCESS, run(spec));

        Path judgedFile = root.resolve("ds/annotations/" + dev.mmalign.api.stage.ArtifactLayout.JUDGED_HUMAN_RATED_PREFIX
                + "-00000-of-00001.jsonl");
        Map<String, AnnotationRecord> judged = new LinkedHashMap<>();
        dev.mmalign.trainer.data.JsonlReader.readAll(judgedFile, AnnotationRecord.class, null)
                .forEach(a -> judged.put(a.completionId(), a));
        assertEquals(List.of(ImportedRatings.unsampledId("p1", 1), ImportedRatings.unsampledId("p3", 3)),
                new ArrayList<>(judged.keySet()), "the two unsampled responses, by prompt order; not the sampled one");
        assertEquals(0, judged.get(ImportedRatings.unsampledId("p1", 1)).ratings().get("correctness"), "wrong: no");
        assertEquals(4, judged.get(ImportedRatings.unsampledId("p3", 3)).ratings().get("correctness"));
        assertEquals(PROMPTS * K, data.annotations().size(), "the sampled completions are rated as ever");
        assertEquals(2L, data.fx.result(spec).counts.get("humanRatedResponsePrompts"));

        long before = Files.size(judgedFile);
        assertEquals(ExitCodes.SUCCESS, run(spec));
        assertEquals(before, Files.size(judgedFile), "a rerun rates nothing twice");
        assertEquals(0L, data.fx.result(spec).counts.get("humanRatedResponsesJudgedThisRun"));
    }

    /** Prompts p0..p{PROMPTS-1}, each asking whether its image has a red circle, with the truth "yes" for the oracle. */
    private void writeRedCirclePromptsWithTruth() throws Exception {
        List<PromptRecord> prompts = new ArrayList<>();
        for (int i = 0; i < PROMPTS; i++) {
            prompts.add(new PromptRecord("p" + i, "img" + i + ".png", "Is there a red circle in image " + i + "?",
                    "Yes, there is a red circle in the image.", null,
                    new PromptTruth(PromptTruth.Kind.EXISTS, "yes", List.of("red circle")).toJson()));
        }
        data.fx.writeJsonl("ds/prompts.jsonl", prompts);
    }
}
