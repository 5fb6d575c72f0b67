package dev.mmalign.trainer.evaluate;

import dev.mmalign.api.bench.BenchmarkName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * POPE scored as the official script scores it, on the first lines of the published coco_pope_adversarial.json and
 * fixed model answers. Expected figures worked out by hand by following RUCAIBox/POPE evaluate.py (the same code as
 * haotian-liu/LLaVA llava/eval/eval_pope.py, function eval_pope): first sentence, commas removed, split(' '), "No",
 * "no" or "not" among the words means no.
 */
class PopeOfficialScoreTest {

    @TempDir
    Path dir;

    @Test
    void scoresTheReferenceAnswersLikeTheOfficialScript() throws Exception {
        Path pope = BenchmarkFixtures.copy(dir, "pope", List.of("coco_pope_adversarial.json"));
        Path images = BenchmarkFixtures.images(dir.resolve("val2014"),
                List.of("COCO_val2014_000000310196.jpg", "COCO_val2014_000000210789.jpg"));
        List<BenchmarkItem> items = BenchmarkReaders.read(BenchmarkName.POPE,
                pope.resolve("coco_pope_adversarial.json"), images, dir);
        // Labels of questions 1-8 as published: yes no yes no yes no yes no.
        List<String> answers = List.of(
                "Yes, there is a snowboard in the image.", // yes, label yes: TP
                "No, there is no backpack.",               // "No": no, label no: TN
                "NO.",                                     // "NO" is none of No/no/not: yes, label yes: TP
                "There is not a car in the image.",        // "not": no, label no: TN
                "There are no skis. Actually, yes.",       // first sentence has "no": no, label yes: FN
                "Yes",                                     // yes, label no: FP
                "No\nThere is a truck.",                   // split(' ') gives "No\nThere": yes, label yes: TP
                "Not at all.");                            // "Not" is none of them: yes, label no: FP
        List<SampleOutput> outputs = new ArrayList<>();
        Map<String, BenchmarkItem> byId = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            BenchmarkItem item = items.get(i);
            byId.put(item.id(), item);
            String predicted = PopeScore.parse(answers.get(i));
            outputs.add(SampleOutput.answered(item.id(), List.of(answers.get(i)), predicted,
                    predicted.equals(item.answer())));
        }
        Map<String, Double> m = BenchmarkMetrics.summarize(BenchmarkName.POPE, outputs, byId);
        // TP 3, TN 2, FP 2, FN 1 (from the comments above, as eval_pope counts them).
        assertEquals(5.0 / 8, m.get("accuracy"), 1e-12, "(TP + TN) / all");
        assertEquals(3.0 / 5, m.get("precision"), 1e-12, "TP / (TP + FP)");
        assertEquals(3.0 / 4, m.get("recall"), 1e-12, "TP / (TP + FN)");
        assertEquals(2 * 0.6 * 0.75 / (0.6 + 0.75), m.get("f1"), 1e-12);
        assertEquals(5.0 / 8, m.get("yesRatio"), 1e-12, "five answers read as yes");
        assertEquals(8.0, m.get("n"));
    }
}
