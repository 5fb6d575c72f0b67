package dev.mmalign.trainer.evaluate;

import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.trainer.data.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MMBench scored as VLMEvalKit scores it under its exact-matching policy: answers matched to options by can_infer
 * (open-compass/VLMEvalKit vlmeval/utils/matching_util.py), rows grouped by index % 1e6 and a question right only
 * when all its circular copies are (mcq_circular_eval / prefetch_circular_group in
 * vlmeval/dataset/utils/multiple_choice.py), accuracy overall and per l2-category and category (report_acc).
 */
class MmbenchOfficialScoreTest {

    @TempDir
    Path dir;

    @Test
    void readsThePandasTsvAndScoresCircularGroupsLikeVlmEvalKit() throws Exception {
        Path mmb = BenchmarkFixtures.copy(dir, "mmbench", List.of("mmbench_dev_en_slice.tsv"));
        List<BenchmarkItem> items = BenchmarkReaders.read(BenchmarkName.MMBENCH,
                mmb.resolve("mmbench_dev_en_slice.tsv"), null, dir.resolve("scratch"));
        assertEquals(List.of("241", "1000241", "267", "1000267", "293", "1000293"),
                items.stream().map(BenchmarkItem::id).toList(), "grouped by question, main row first");
        BenchmarkItem first = items.get(0);
        assertTrue(first.hint().startsWith("The passage below describes an experiment.")
                && first.hint().contains("\n\nMadelyn applied") && first.hint().endsWith("down a hill."),
                "the quoted multi-line hint is one cell");
        assertEquals(2, first.options().size(), "C and D are empty cells, read as missing");
        assertEquals(first.image(), items.get(1).image(), "the copy's image cell names its main row");
        assertEquals("logic_reasoning", first.tag(CircularChoice.L2_CATEGORY));

        // Fixed model answers, one per row, and what can_infer makes of them:
        Map<String, String> answers = Map.of(
                "241", "B",                      // one option letter: B; GT B, right
                "1000241", "The answer is A.",   // words The/answer/is/A: A; GT A (rotated), right
                "267", "A",                      // A; GT A, right
                "1000267", "a seed",             // no capital letter; text "a seed" = option B only; GT B, right
                "293", "A",                      // A; GT A, right
                "1000293", "Rubber, not cotton"); // no letter; both option texts occur: no match, wrong
        List<SampleOutput> outputs = new ArrayList<>();
        Map<String, BenchmarkItem> byId = new LinkedHashMap<>();
        for (BenchmarkItem item : items) {
            byId.put(item.id(), item);
            Map<Character, String> choices = new LinkedHashMap<>();
            for (int i = 0; i < item.options().size(); i++) choices.put((char) ('A' + i), item.options().get(i));
            Character letter = MmbenchAnswer.infer(answers.get(item.id()), choices);
            outputs.add(SampleOutput.answered(item.id(), List.of(answers.get(item.id())),
                    letter == null ? null : letter.toString(), letter != null && letter == item.answer().charAt(0)));
        }
        assertNull(outputs.get(5).prediction());
        Map<String, Double> m = BenchmarkMetrics.summarize(BenchmarkName.MMBENCH, outputs, byId);
        // Groups: 241 hit, 267 hit, 293 missed (its copy was not matched) -> 2 of 3.
        assertEquals(2.0 / 3, m.get("accuracy"), 1e-12);
        assertEquals(3.0, m.get("n"));
        // report_acc: l2-categories by VLMEvalKit's abbreviations, categories by name.
        assertEquals(1.0, m.get("accuracy/LR"));
        assertEquals(1.0, m.get("accuracy/RR"));
        assertEquals(0.0, m.get("accuracy/AR"));
        assertEquals(1.0, m.get("accuracy/structuralized_imagetext_understanding"));
        assertEquals(0.0, m.get("accuracy/physical_property_reasoning"));
        assertEquals(1.0, m.get("firstPassAccuracy"), "every main row alone was right");
    }

    @Test
    void canInferFollowsVlmEvalKit() {
        Map<Character, String> choices = new LinkedHashMap<>();
        choices.put('A', "red");
        choices.put('B', "green");
        choices.put('C', "blue");
        assertEquals('C', MmbenchAnswer.infer("(C) blue", choices));
        assertEquals('B', MmbenchAnswer.infer("**B**: green", choices), "* and : are separators");
        assertNull(MmbenchAnswer.infer("A or B", choices), "two letters and no single option text: no match");
        assertEquals('Z', MmbenchAnswer.infer("Cannot determine the answer", choices), "a known refusal is Z");
        assertEquals('Z', MmbenchAnswer.infer("Z", choices), "a standalone Z with no option letter");
        assertEquals('C', MmbenchAnswer.infer("It looks blue to me", choices), "one option text in the answer");
        assertNull(MmbenchAnswer.infer("a cat", choices), "lower-case a is not option A");
        assertNull(MmbenchAnswer.infer("Failed to obtain answer via API. C", choices), "API failures never match");
    }

    @Test
    void pandasQuotingIsReadAndBadRowsNameTheirLine() throws Exception {
        Path f = dir.resolve("q.tsv");
        String b64 = java.util.Base64.getEncoder().encodeToString(BenchmarkFixtures.PNG);
        Files.writeString(f, "index\tquestion\thint\tA\tB\tanswer\tcategory\timage\n"
                + "1\t\"Say \"\"hi\"\"\tthen\nleave\"\tNone\t\"x\ty\"\tz\tB\tc\t" + b64 + "\n"
                + "2\tq\tnan\tx\ty\tC\tc\t" + b64 + "\n");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> BenchmarkReaders.read(BenchmarkName.MMBENCH, f, null, dir));
        assertTrue(e.getMessage().startsWith(f + ":4: answer C is not one of the option letters"), e.getMessage());
        Files.writeString(f, Files.readString(f).replace("\tC\tc\t", "\tA\tc\t"));
        BenchmarkItem item = BenchmarkReaders.read(BenchmarkName.MMBENCH, f, null, dir).get(0);
        assertEquals("Say \"hi\"\tthen\nleave", item.turns().get(0), "tab, newline and doubled quotes in one cell");
        assertNull(item.hint(), "None is missing, as pandas reads it");
        assertEquals(List.of("x\ty", "z"), item.options());
    }
}
