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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LLaVA-Bench (in the wild) reviewed and summarised as LLaVA's official scripts do it, on fixed model answers and
 * fixed judge replies: the prompt and parse_score of haotian-liu/LLaVA llava/eval/eval_gpt_review_bench.py, the
 * summary of llava/eval/summarize_gpt_review.py (mean pair per category rounded to 3 decimals, then
 * round(100 × model / reference, 1)). The model answers and four of the five judge replies are LLaVA-1.5-13B's
 * published ones (playground/data/eval/llava-bench-in-the-wild/answers/llava-v1.5-13b.jsonl and
 * reviews/llava-v1.5-13b-eval1.jsonl, questions 0, 1, 2, 4); the fifth reply is made up to be one the official
 * parser rejects.
 */
class LlavaBenchOfficialScoreTest {

    @TempDir
    Path dir;

    private static final List<String> FILES = List.of("questions.jsonl", "answers_gpt4.jsonl", "context.jsonl",
            "rule.json");

    @Test
    void reviewsAndSummarisesLikeTheOfficialScripts() throws Exception {
        Path bench = BenchmarkFixtures.copy(dir, "llava-bench-in-the-wild", FILES);
        Path images = BenchmarkFixtures.images(dir.resolve("images"), List.of("001.jpg", "002.jpg"));
        List<BenchmarkItem> items = BenchmarkReaders.read(BenchmarkName.LLAVA_BENCH, bench.resolve("questions.jsonl"),
                images, dir);
        Map<String, String> answers = Map.of(
                "0", "The famous sight in the photo is the Diamond Head, a volcanic crater located in Hawaii.",
                "1", "The image features a beautiful aerial view of a large mountain with a lush green forest on top.",
                "2", "The sight of a large mountain with a lush green forest on top and a beach below is likely the "
                        + "result of various geological processes.",
                "4", "The image shows a group of unripe lychee fruits.",
                "5", "There are four uncut fruits in the image.");
        Map<String, String> reviews = Map.of(
                "0", "8 10\nBoth Assistant 1 and Assistant 2 provided accurate and relevant answers to the question.",
                "1", "9 6.5\nAssistant 1 provided a more accurate and detailed description of the photo.",
                "2", "8 6\nAssistant 1 provided a more relevant and accurate response.",
                "4", "9 2\nAssistant 1 provided an accurate and relevant answer, identifying the fruit as mangosteen.",
                "5", "Assistant 1: 9, Assistant 2: 2\nAssistant 1 counted right."); // 7 words: parse_score -> [-1, -1]

        BenchmarkItem q0 = items.get(0);
        String rule = "We would like to request your feedback on the performance of two AI assistants in response to "
                + "the user question displayed above. The user asks the question on observing an image.";
        String prompt = LlavaBenchReview.prompt(q0, answers.get("0"));
        // The official f-string: [Context] captions, [Question], the reference as Assistant 1, the model as 2, [System].
        assertEquals("[Context]\nAn aerial photo of Diamond Head, a volcanic crater on Oahu, Hawaii.\n"
                + "The city of Honolulu and the Pacific Ocean surround it.\n\n"
                + "[Question]\nWhat is the name of this famous sight in the photo?\n\n"
                + "[Assistant 1]\nThe famous sight in the photo is Diamond Head.\n\n[End of Assistant 1]\n\n"
                + "[Assistant 2]\n" + answers.get("0") + "\n\n[End of Assistant 2]\n\n[System]\n",
                prompt.substring(0, prompt.indexOf("[System]\n") + 9));
        assertTrue(prompt.substring(prompt.indexOf("[System]\n") + 9).startsWith(rule), "rule.json's llava_bench_conv");
        assertTrue(prompt.endsWith("does not affect your judgment.\n\n"));
        assertEquals("You are a helpful and precise assistant for checking the quality of the answer.",
                LlavaBenchReview.SYSTEM);

        List<SampleOutput> outputs = new ArrayList<>();
        Map<String, BenchmarkItem> byId = new LinkedHashMap<>();
        for (BenchmarkItem item : items) {
            byId.put(item.id(), item);
            double[] s = LlavaBenchReview.parse(reviews.get(item.id()));
            outputs.add(SampleOutput.of(item.id(), List.of(answers.get(item.id()))).referenceScore(s[0]).score(s[1])
                    .build());
        }
        Map<String, Double> m = BenchmarkMetrics.summarize(BenchmarkName.LLAVA_BENCH, outputs, byId);
        // Tuples: 0 conv (8, 10), 1 detail (9, 6.5), 2 complex (8, 6), 4 conv (9, 2), 5 conv (-1, -1).
        // all: means (33/5, 23.5/5) = (6.6, 4.7); 4.7 / 6.6 * 100 = 71.21... -> 71.2
        assertEquals(71.2, m.get("relativeScore"));
        // conv: means (16/3, 11/3) rounded to (5.333, 3.667); 3.667 / 5.333 * 100 = 68.76... -> 68.8
        assertEquals(68.8, m.get("relativeScore/conv"));
        // detail: 6.5 / 9 * 100 = 72.22... -> 72.2; complex: 6 / 8 * 100 = 75.0
        assertEquals(72.2, m.get("relativeScore/detail"));
        assertEquals(75.0, m.get("relativeScore/complex"));
        assertEquals(6.6, m.get("referenceScore"));
        assertEquals(4.7, m.get("modelScore"));
        assertEquals(1.0, m.get("unparsable"));
    }

    @Test
    void parseScoreAcceptsAndRejectsWhatTheOfficialOneDoes() {
        assertArrayEquals(new double[] {8, 6}, LlavaBenchReview.parse("8 6\nAssistant 1 is better"));
        assertArrayEquals(new double[] {8, 6}, LlavaBenchReview.parse("8,6"), "a comma becomes a space");
        assertArrayEquals(new double[] {7, 9.5}, LlavaBenchReview.parse("7 9.5\r\nwhy"), "float() strips the \\r");
        assertArrayEquals(new double[] {11, -2}, LlavaBenchReview.parse("11 -2"), "no range check");
        assertArrayEquals(LlavaBenchReview.UNPARSABLE, LlavaBenchReview.parse("8, 6"), "comma-space gives 3 parts");
        assertArrayEquals(LlavaBenchReview.UNPARSABLE, LlavaBenchReview.parse("8  6"), "a double space, 3 parts");
        assertArrayEquals(LlavaBenchReview.UNPARSABLE, LlavaBenchReview.parse(" 8 6"), "a leading space, 3 parts");
        assertArrayEquals(LlavaBenchReview.UNPARSABLE, LlavaBenchReview.parse("Scores: 8 6"));
        assertArrayEquals(LlavaBenchReview.UNPARSABLE, LlavaBenchReview.parse("8/10 6/10"));
    }

    @Test
    void publishedFileNamesAreFoundAndMissingFilesNamed() throws Exception {
        Path bench = BenchmarkFixtures.copy(dir, "llava-bench-in-the-wild", FILES);
        Path images = BenchmarkFixtures.images(dir.resolve("images"), List.of("001.jpg", "002.jpg"));
        // LLaVA's COCO names: qa90_questions.jsonl beside qa90_gpt4_answer.jsonl.
        Files.move(bench.resolve("questions.jsonl"), bench.resolve("qa90_questions.jsonl"));
        Files.move(bench.resolve("answers_gpt4.jsonl"), bench.resolve("qa90_gpt4_answer.jsonl"));
        assertEquals(5, BenchmarkReaders.read(BenchmarkName.LLAVA_BENCH, bench.resolve("qa90_questions.jsonl"),
                images, dir).size());
        Files.copy(bench.resolve("qa90_gpt4_answer.jsonl"), bench.resolve("answers_gpt4.jsonl"));
        InvalidInputException two = assertThrows(InvalidInputException.class, () -> BenchmarkReaders.read(
                BenchmarkName.LLAVA_BENCH, bench.resolve("qa90_questions.jsonl"), images, dir));
        assertTrue(two.getMessage().contains("more than one reference answers file"), two.getMessage());
        Files.delete(bench.resolve("answers_gpt4.jsonl"));
        Files.delete(bench.resolve("context.jsonl"));
        InvalidInputException noContext = assertThrows(InvalidInputException.class, () -> BenchmarkReaders.read(
                BenchmarkName.LLAVA_BENCH, bench.resolve("qa90_questions.jsonl"), images, dir));
        assertTrue(noContext.getMessage().startsWith(bench.resolve("context.jsonl").toString()),
                noContext.getMessage());
    }
}
