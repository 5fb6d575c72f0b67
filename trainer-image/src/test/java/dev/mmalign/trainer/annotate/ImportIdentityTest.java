package dev.mmalign.trainer.annotate;

import dev.mmalign.api.common.JudgeProvider;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.StageCounts;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.data.AnnotationRecord;
import dev.mmalign.trainer.data.CompletionRecord;
import dev.mmalign.trainer.judge.JudgeTuning;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.mmalign.trainer.annotate.AnnotateFixture.K;
import static dev.mmalign.trainer.annotate.AnnotateFixture.PROMPTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Imports match completions by stable identity and lose nothing: identical response texts of one prompt are all
 * rated, promptId + completionIndex works, an identical repeated rating is a counted duplicate, a conflicting one is
 * an error naming both lines, and the stage's counts always add up.
 */
class ImportIdentityTest {

    private static final List<String> ATTRIBUTES = List.of("helpfulness", "correctness", "coherence", "complexity",
            "verbosity");

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

    private StageSpec spec() {
        StageSpec spec = data.spec(JudgeProvider.IMPORT);
        spec.annotation.importPath = "import/ratings.jsonl";
        return spec;
    }

    private static Map<String, Object> helpSteer(int prompt, String response, int h) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("prompt", "Is there a red circle in image " + prompt + "?");
        row.put("response", response);
        for (String a : ATTRIBUTES) row.put(a, h);
        return row;
    }

    private static Map<String, Object> byIndex(String promptId, int index, int h) {
        Map<String, Object> ratings = new LinkedHashMap<>();
        for (String a : ATTRIBUTES) ratings.put(a, h);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("promptId", promptId);
        row.put("completionIndex", index);
        row.put("ratings", ratings);
        return row;
    }

    /** Completions whose texts repeat within a prompt (sampling at low temperature does this). */
    private void writeCompletionsWithRepeatedTexts() throws Exception {
        List<CompletionRecord> completions = new ArrayList<>();
        for (int i = 0; i < PROMPTS; i++) {
            for (int j = 0; j < K; j++) {
                String text = j < 2 ? "Yes, a red circle." : "No.";
                completions.add(new CompletionRecord("p" + i, CompletionRecord.idOf("p" + i, j), text, "base", 0.1,
                        1L));
            }
        }
        data.fx.writeJsonl("ds/completions/completions-00000-of-00001.jsonl", completions);
    }

    private static void assertCountsAddUp(StageResult result) {
        assertEquals(result.counts.get("prompts"), result.counts.get("annotated") + result.counts.get("quarantined")
                + result.counts.get("remaining"), "prompts = annotated + quarantined + remaining: " + result.counts);
        assertEquals(result.counts.get(StageCounts.IMPORT_ROWS), result.counts.get(StageCounts.IMPORT_ROWS_APPLIED)
                + result.counts.get(StageCounts.IMPORT_ROWS_DUPLICATE), "rows in = rows applied + duplicates: " + result.counts);
    }

    @Test
    void twoCompletionsWithTheSameTextAreBothRatedByTheOneHelpSteerRow() throws Exception {
        writeCompletionsWithRepeatedTexts();
        List<Object> rows = new ArrayList<>();
        for (int i = 0; i < PROMPTS; i++) {
            rows.add(helpSteer(i, "Yes, a red circle.", 4));
            rows.add(helpSteer(i, "No.", 0));
        }
        data.fx.writeJsonl("import/ratings.jsonl", rows);
        assertEquals(ExitCodes.SUCCESS, run(spec()));
        assertEquals(PROMPTS * K, data.annotations().size(), "no rating lost to a text collision");
        assertEquals(0, data.quarantined().size());
        Map<String, AnnotationRecord> byId = new LinkedHashMap<>();
        data.annotations().forEach(a -> byId.put(a.completionId(), a));
        assertEquals(4, byId.get("p2#0").ratings().get("helpfulness"));
        assertEquals(4, byId.get("p2#1").ratings().get("helpfulness"));
        assertEquals(0, byId.get("p2#2").ratings().get("helpfulness"));
        StageResult result = data.fx.result(spec());
        assertEquals((long) PROMPTS, result.counts.get("annotated"));
        assertCountsAddUp(result);
    }

    /**
     * Guards the stated normalisation: a HelpSteer row whose prompt carries LLaVA's image token before the question
     * ({@code "<image>\n..."}) or after it ({@code "...\n<image>"}) rates the completions of our token-free prompt,
     * and a plain row still matches. The response text is still compared exactly.
     */
    @Test
    void helpSteerPromptsMatchWithAndWithoutTheImageToken() throws Exception {
        writeCompletionsWithRepeatedTexts();
        List<Object> rows = new ArrayList<>();
        for (int i = 0; i < PROMPTS; i++) {
            Map<String, Object> yes = helpSteer(i, "Yes, a red circle.", 4);
            Map<String, Object> no = helpSteer(i, "No.", 1);
            String question = (String) yes.get("prompt");
            yes.put("prompt", i % 3 == 0 ? question : i % 3 == 1 ? "<image>\n" + question : question + "\n<image>");
            no.put("prompt", "<image>\n" + question);
            rows.add(yes);
            rows.add(no);
        }
        data.fx.writeJsonl("import/ratings.jsonl", rows);
        assertEquals(ExitCodes.SUCCESS, run(spec()));
        assertEquals(PROMPTS * K, data.annotations().size(), "every completion rated: " + data.quarantined());
        Map<String, AnnotationRecord> byId = new LinkedHashMap<>();
        data.annotations().forEach(a -> byId.put(a.completionId(), a));
        assertEquals(4, byId.get("p1#0").ratings().get("helpfulness"));
        assertEquals(1, byId.get("p2#" + (K - 1)).ratings().get("helpfulness"));

        List<Object> wrongResponse = List.of(helpSteer(0, "<image>\nNo.", 1));
        data.fx.writeJsonl("import/ratings.jsonl", wrongResponse);
        StageSpec again = spec();
        again.paths.outputDir = "ds/annotations-2";
        assertEquals(ExitCodes.INVALID_INPUT, run(again), "the token is only removed from the question");
    }

    @Test
    void promptIdAndCompletionIndexIdentifyACompletion() throws Exception {
        List<Object> rows = new ArrayList<>();
        for (int i = 0; i < PROMPTS; i++) {
            for (int j = 0; j < K; j++) rows.add(byIndex("p" + i, j, j));
        }
        data.fx.writeJsonl("import/ratings.jsonl", rows);
        assertEquals(ExitCodes.SUCCESS, run(spec()));
        assertEquals(PROMPTS * K, data.annotations().size());
        assertEquals(2, data.annotations().stream().filter(a -> a.completionId().equals("p1#2")).findFirst()
                .orElseThrow().ratings().get("helpfulness"));
        assertCountsAddUp(data.fx.result(spec()));
    }

    @Test
    void anIdenticalRepeatIsACountedDuplicate() throws Exception {
        List<Object> rows = new ArrayList<>();
        for (int i = 0; i < PROMPTS; i++) {
            for (int j = 0; j < K; j++) rows.add(byIndex("p" + i, j, 1));
        }
        rows.add(byIndex("p0", 0, 1));
        data.fx.writeJsonl("import/ratings.jsonl", rows);
        assertEquals(ExitCodes.SUCCESS, run(spec()));
        StageResult result = data.fx.result(spec());
        assertEquals((long) PROMPTS * K + 1, result.counts.get(StageCounts.IMPORT_ROWS));
        assertEquals(1L, result.counts.get(StageCounts.IMPORT_ROWS_DUPLICATE));
        assertCountsAddUp(result);
    }

    @Test
    void aConflictingRepeatIsAnErrorNamingBothLines() throws Exception {
        data.fx.writeJsonl("import/ratings.jsonl", List.of(byIndex("p0", 0, 1), byIndex("p0", 1, 1),
                byIndex("p0", 0, 3)));
        assertEquals(ExitCodes.INVALID_INPUT, run(spec()));
        String message = data.fx.result(spec()).message;
        assertTrue(message.startsWith(root.resolve("import/ratings.jsonl") + ":3: conflicting ratings for completion "
                + "p0#0: "), message);
        assertTrue(message.endsWith(" on line 1"), message);
    }

    @Test
    void aPartlyRatedPromptIsQuarantinedAndCounted() throws Exception {
        List<Object> rows = new ArrayList<>();
        for (int i = 0; i < PROMPTS; i++) {
            for (int j = 0; j < K; j++) if (!(i == 1 && j == 2)) rows.add(byIndex("p" + i, j, 2));
        }
        data.fx.writeJsonl("import/ratings.jsonl", rows);
        assertEquals(ExitCodes.SUCCESS, run(spec()));
        StageResult result = data.fx.result(spec());
        assertEquals(1L, result.counts.get("quarantined"));
        assertEquals((long) PROMPTS - 1, result.counts.get("annotated"));
        assertCountsAddUp(result);
    }

    @Test
    void anImportPathOutOfTheClaimIsRefused() throws Exception {
        StageSpec spec = spec();
        spec.annotation.importPath = "../../etc/passwd";
        assertEquals(ExitCodes.INVALID_INPUT, run(spec));
        assertTrue(data.fx.result(spec).message.contains("annotation.importPath: '../../etc/passwd' leaves the "
                + "storage root"), data.fx.result(spec).message);
    }
}
