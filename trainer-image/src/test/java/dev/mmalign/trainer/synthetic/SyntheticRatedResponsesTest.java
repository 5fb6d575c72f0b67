package dev.mmalign.trainer.synthetic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.trainer.annotate.ImportedRatings;
import dev.mmalign.trainer.data.DatasetReader;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.data.PromptRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The synthetic people's HelpSteer-style ratings of responses of their own choosing. */
class SyntheticRatedResponsesTest {

    @TempDir
    Path dir;

    private static List<PromptRecord> prompts(int n) {
        List<PromptRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean yes = i % 2 == 0;
            out.add(new PromptRecord("p" + i, "img" + i + ".png", "Is there a red circle in image " + i + "?",
                    yes ? "Yes, there is a red circle in the image." : "No, there is no red circle in the image.",
                    "synthetic", new PromptTruth(PromptTruth.Kind.EXISTS, yes ? "yes" : "no",
                    List.of(yes ? "red circle" : "blue square")).toJson()));
        }
        return out;
    }

    /**
     * Guards that without noise people rate exactly as the oracle does, that the responses are the gold answer, the
     * bare answer, a wrong same-kind answer and a refusal, and that the seed alone decides which prompts are rated.
     */
    @Test
    void withoutNoisePeopleAgreeWithTheOracleOnResponsesOfTheirOwn() {
        List<PromptRecord> prompts = prompts(40);
        List<ObjectNode> rows = new SyntheticRatedResponses(1.0, 0.0, 7).rows(prompts);
        assertEquals(40 * 4, rows.size(), "four distinct responses per prompt");
        OracleRater oracle = new OracleRater();
        for (ObjectNode row : rows) {
            PromptRecord p = prompts.get(Integer.parseInt(row.get("promptId").asText().substring(1)));
            Map<HelpSteerAttribute, Integer> truth = oracle.rate(PromptTruth.fromJson(p.truth()), p.goldAnswer(),
                    row.get("response").asText());
            for (HelpSteerAttribute a : HelpSteerAttribute.values()) {
                assertEquals(truth.get(a), row.get(a.wireName()).asInt(), row.toString());
            }
        }
        assertEquals(List.of("Yes, there is a red circle in the image.", "yes",
                        "No, there is no red circle in the image.", SyntheticRatedResponses.REFUSAL),
                rows.subList(0, 4).stream().map(r -> r.get("response").asText()).toList());

        List<ObjectNode> some = new SyntheticRatedResponses(0.25, 0.2, 7).rows(prompts);
        assertTrue(!some.isEmpty() && some.size() < rows.size(), "a subset: " + some.size());
        assertEquals(some.toString(), new SyntheticRatedResponses(0.25, 0.2, 7).rows(prompts).toString(),
                "same seed, same file");
        assertNotEquals(some.toString(), new SyntheticRatedResponses(0.25, 0.2, 8).rows(prompts).toString());
    }

    /**
     * Guards that the written file is what a dataset's annotation.humanRatings reads: every row a response of its
     * prompt that was never sampled, with the row's ratings.
     */
    @Test
    void theFileReadsAsHumanRatingsOfUnsampledResponses() throws Exception {
        Path promptsFile = dir.resolve("prompts.jsonl");
        Files.write(promptsFile, prompts(12).stream().map(dev.mmalign.trainer.data.Json::line).toList());
        Path out = dir.resolve("human.jsonl");
        int written = new SyntheticRatedResponses(0.5, 0.2, 11).write(promptsFile, out);
        Map<String, JsonlReader.Line<PromptRecord>> prompts = DatasetReader.prompts(promptsFile);
        ImportedRatings.Result read = ImportedRatings.read(out, List.of(HelpSteerAttribute.values()), prompts,
                Map.of(), true);
        assertTrue(written > 0);
        assertEquals(written, read.rows());
        assertEquals(written, read.unsampled().size());
        assertEquals(written, read.ratings().size());
    }
}
