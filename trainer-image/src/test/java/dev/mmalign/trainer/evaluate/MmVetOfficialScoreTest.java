package dev.mmalign.trainer.evaluate;

import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.trainer.data.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MM-Vet graded as its official evaluator grades it, on fixed model answers and fixed judge replies. Expected figures
 * worked out by hand by following yuweihao/MM-Vet mm-vet_evaluator.py: {@code runs} (the user message, the parse
 * {@code float(content.split(" ")[0].strip())} within 0-1, the retry prompt, 0.0 after the fifth unparsable reply)
 * and {@code export_result} (100 × sum / count, overall and per capability).
 */
class MmVetOfficialScoreTest {

    @TempDir
    Path dir;

    private record Call(String system, String prompt) {}

    private record Sent(double temperature, Integer maxTokens) {}

    @Test
    void gradesAndReportsLikeTheOfficialEvaluator() throws Exception {
        Path mmvet = BenchmarkFixtures.copy(dir, "mm-vet", List.of("mm-vet.json", "mm-vet_grader_prompt.txt"));
        Path images = BenchmarkFixtures.images(dir.resolve("images"),
                List.of("v1_0.png", "v1_17.jpg", "v1_37.jpg", "v1_39.jpg"));
        List<BenchmarkItem> items = BenchmarkReaders.read(BenchmarkName.MM_VET, mmvet.resolve("mm-vet.json"), images,
                dir);
        String officialPrompt = Files.readString(mmvet.resolve("mm-vet_grader_prompt.txt"));
        assertTrue(officialPrompt.contains("What is x in the equation? | -1 <AND> -5 | x = -1 or x = -5 | 1.0"),
                "the few-shot table comes from the benchmark's file");

        // Fixed model answers and judge replies.
        Map<String, String> predictions = Map.of("v1_0", "x = 3", "v1_17", "The hat is blue.",
                "v1_37", "They should hop.", "v1_39", "Remove the probe.");
        Map<String, Deque<String>> replies = Map.of(
                "v1_0", new ArrayDeque<>(List.of("0.0")),                      // 0.0
                "v1_17", new ArrayDeque<>(List.of("1.0\n")),                   // "1.0\n".strip() -> 1.0
                "v1_37", new ArrayDeque<>(List.of("The answer", "0.5 (half)")), // retry, then 0.5
                "v1_39", new ArrayDeque<>(List.of("1.5", "N/A", " 0.3", "correct", "0.3.1"))); // 5 misses -> 0.0
        Map<String, List<Call>> calls = new LinkedHashMap<>();
        Map<String, List<Sent>> sent = new LinkedHashMap<>();
        List<SampleOutput> outputs = new ArrayList<>();
        Map<String, BenchmarkItem> byId = new LinkedHashMap<>();
        for (BenchmarkItem item : items) {
            byId.put(item.id(), item);
            List<Call> mine = calls.computeIfAbsent(item.id(), k -> new ArrayList<>());
            List<Sent> mineSent = sent.computeIfAbsent(item.id(), k -> new ArrayList<>());
            MmVetGrader.Grade g = MmVetGrader.grade(item.tag(MmVetGrader.PROMPT_TAG), item.turns().get(0),
                    item.answer(), predictions.get(item.id()), (system, prompt, parameters) -> {
                        mine.add(new Call(system, prompt));
                        mineSent.add(new Sent(parameters.temperature(), parameters.maxTokens()));
                        return replies.get(item.id()).pop();
                    });
            outputs.add(SampleOutput.of(item.id(), List.of(predictions.get(item.id()))).score(g.score())
                    .judged(String.join("\n", g.replies()), g.problem()).build());
        }
        // The official user message: prompt + "\n" + " | ".join([question, answer with spaced <AND>, prediction, ""]).
        assertEquals(new Call(null, officialPrompt + "\nWhat is x in the equation? | -1 <AND> -5 | x = 3 | "),
                calls.get("v1_0").get(0), "no system message; the official layout");
        assertEquals(officialPrompt + "\nWhat should kids do after snap fingers? | hop on one foot | They should hop. | "
                + "\nPredict the correctness of the answer (digit): ", calls.get("v1_37").get(1).prompt());
        assertEquals(5, calls.get("v1_39").size(), "five replies are read before scoring 0");
        // mm-vet_evaluator.py: max_tokens=3 always; temperature 0.0, the first re-ask still at 0.0, then +0.5 each.
        assertEquals(List.of(new Sent(0.0, 3), new Sent(0.0, 3), new Sent(0.5, 3), new Sent(1.0, 3), new Sent(1.5, 3)),
                sent.get("v1_39"));
        assertNull(outputs.get(2).problem());
        assertTrue(outputs.get(3).problem().contains("scored 0.0"));

        Map<String, Double> m = BenchmarkMetrics.summarize(BenchmarkName.MM_VET, outputs, byId);
        // Scores 0.0, 1.0, 0.5, 0.0 over 4 questions.
        assertEquals(100 * 1.5 / 4, m.get("score"), 1e-9);                  // 37.5
        assertEquals(100 * (0.0 + 0.5 + 0.0) / 3, m.get("score/ocr"), 1e-9); // v1_0, v1_37, v1_39
        assertEquals(100 * (1.0 + 0.5 + 0.0) / 3, m.get("score/rec"), 1e-9); // v1_17, v1_37, v1_39
        assertEquals(100 * (1.0 + 0.5) / 2, m.get("score/spat"), 1e-9);      // v1_17, v1_37
        assertEquals(0.0, m.get("score/math"), 1e-9);                        // v1_0
        assertEquals(0.0, m.get("score/know"), 1e-9);                        // v1_39
        assertEquals(1.0, m.get("unparsable"));
    }

    @Test
    void scoreParsingIsPythonsFloatOfTheFirstWord() {
        assertEquals(0.4, MmVetGrader.parse("0.4"));
        assertEquals(1.0, MmVetGrader.parse("1 is right"));
        assertEquals(0.5, MmVetGrader.parse(".5"));
        assertNull(MmVetGrader.parse("4"), "outside 0-1");
        assertNull(MmVetGrader.parse("Correctness: 0.4"), "the first word must be the number");
        assertNull(MmVetGrader.parse("0.4."), "float('0.4.') raises");
    }

    @Test
    void thePromptComesFromTheBenchmarkFilesOrItsAbsenceIsNamed() throws Exception {
        Path mmvet = BenchmarkFixtures.copy(dir, "mm-vet", List.of("mm-vet.json"));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> MmVetGrader.loadPrompt(mmvet.resolve("mm-vet.json")));
        assertTrue(e.getMessage().contains("mm-vet_grader_prompt.txt") && e.getMessage().contains("mm-vet_evaluator.py"),
                e.getMessage());
        Files.writeString(mmvet.resolve("mm-vet_evaluator.py"), "import json\n\nprompt = \"\"\"Grade it.\n"
                + "Q | GT | P | C\n\"\"\"\n\n\ndef f():\n    pass\n");
        assertEquals("Grade it.\nQ | GT | P | C\n", MmVetGrader.loadPrompt(mmvet.resolve("mm-vet.json")),
                "taken verbatim from the official evaluator placed beside the questions");
    }
}
