package dev.mmalign.trainer.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.api.bench.BenchmarkSpec;
import dev.mmalign.api.bench.NoisyImage;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.annotate.FakeJudgeServer;
import dev.mmalign.trainer.data.Json;
import dev.mmalign.trainer.judge.JudgeTuning;
import dev.mmalign.trainer.net.Sleeper;
import dev.mmalign.trainer.stage.StageFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.mmalign.trainer.evaluate.TextBenchmarkFixtures.bench;
import static dev.mmalign.trainer.evaluate.TextBenchmarkFixtures.suite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MT-Bench scored as FastChat's fastchat/llm_judge does, on a slice of its published files (test resources
 * benchmarks/mt-bench: question.jsonl, judge_prompts.jsonl, reference_answer/gpt-4.jsonl, from lm-sys/FastChat
 * 0e6d3e4), fixed model answers and fixed judge replies.
 */
class MtBenchProtocolTest {

    @TempDir
    Path root;
    StageFixture fx;

    @BeforeEach
    void setUp() {
        fx = new StageFixture(root);
        TextBenchmarkFixtures.copyResources("mt-bench", root.resolve("mt-bench"));
    }

    private int run(StageSpec spec, TextBenchmarkFixtures.RecordingModel model) throws Exception {
        return fx.run(spec, new EvaluateStage((dir, adapter) -> model, Map.of(),
                new JudgeTuning(1, 2, Sleeper.REAL, 30_000, null)));
    }

    private static String system(JsonNode body) {
        return body.at("/messages/0/content").asText();
    }

    private static String user(JsonNode body) {
        return body.at("/messages/1/content/0/text").asText();
    }

    @Test
    void scoresEqualFastChatsOnTheSameAnswersAndJudgements() throws Exception {
        // Judge replies in request order: questions 81 writing, 101 reasoning, 111 math, 121 coding, 131 extraction,
        // 141 stem; turn 1 then turn 2 of each.
        List<String> replies = List.of(
                "Vivid and engaging. Rating: [[8]]", "Most sentences start with A. Rating: [6]",
                "Correct. [[3]]", "I cannot rate this answer.",
                "Rating: [[10]]", "Partly right. Rating: [[4.5]]",
                "First [[7]], not the later [[2]]", "Rating: [[9]]",
                "[[5]]", "Rating: [[1]]",
                "[[6]]", "Off the scale: [[11]]");
        try (FakeJudgeServer judge = new FakeJudgeServer()) {
            for (String r : replies) judge.then(FakeJudgeServer.Fault.answer(r), 1);
            BenchmarkSpec mt = bench(BenchmarkName.MT_BENCH, "mt-bench/question.jsonl");
            mt.maxNewTokens = 1024;
            TextBenchmarkFixtures.RecordingModel model = new TextBenchmarkFixtures.RecordingModel(q -> "answer to "
                    + q.substring(0, 12));
            assertEquals(ExitCodes.SUCCESS, run(suite(fx, judge, mt), model));

            // Official: common.py run_judge_single reads [[x]], else [x], else -1; show_result.py
            // display_result_single drops -1 and takes the mean per turn and over all turns.
            // Turn 1: 8, 3, 10, 7, 5, 6 -> 39 / 6. Turn 2: 6, (-1 dropped), 4.5, 9, 1, 11 -> 31.5 / 5.
            // All: 70.5 / 11. Per category, the mean of its rated turns.
            JsonNode s = Json.MAPPER.readTree(Files.readString(root.resolve("suite/results.json")))
                    .at("/models/base/mt-bench");
            assertEquals(6.5, s.path("score/turn1").asDouble(), 1e-12);
            assertEquals(6.3, s.path("score/turn2").asDouble(), 1e-12);
            assertEquals(70.5 / 11, s.path("score").asDouble(), 1e-12);
            assertEquals(7.0, s.path("score/category/writing").asDouble(), 1e-12);
            assertEquals(3.0, s.path("score/category/reasoning").asDouble(), 1e-12);
            assertEquals(7.25, s.path("score/category/math").asDouble(), 1e-12);
            assertEquals(8.0, s.path("score/category/coding").asDouble(), 1e-12);
            assertEquals(3.0, s.path("score/category/extraction").asDouble(), 1e-12);
            assertEquals(8.5, s.path("score/category/stem").asDouble(), 1e-12);
            assertEquals(1.0, s.path("unscored").asDouble(), "the unparsable turn is counted, not averaged");
            assertEquals(6.0, s.path("n").asDouble(), "question 101 stays in: its first turn is rated");
            String report = Files.readString(root.resolve("suite/report.html"));
            assertTrue(report.contains("<td>score/category/math</td><td>7.250</td>"), "the report shows the breakdown");

            // common.py temperature_config per category, 1024 new tokens asked (gen_model_answer.py).
            Map<String, Double> temperatureOfFirstTurn = new HashMap<>();
            for (TextBenchmarkFixtures.Call c : model.calls) {
                if (c.conversation().size() == 1) {
                    temperatureOfFirstTurn.put(c.conversation().get(0).content().substring(0, 10),
                            c.settings().temperature());
                }
                assertEquals(1024, c.settings().maxNewTokens());
            }
            assertEquals(List.of(0.7, 0.0, 0.0, 0.0, 0.0, 0.1), model.calls.stream()
                    .filter(c -> c.conversation().size() == 1).map(c -> c.settings().temperature()).toList(),
                    "writing 0.7, reasoning/math/coding/extraction 0, stem 0.1");
            assertEquals(12, model.calls.size());

            // Judge prompts exactly as common.py run_judge_single fills them from judge_prompts.jsonl.
            Map<String, JsonNode> prompts = new HashMap<>();
            for (String line : Files.readAllLines(root.resolve("mt-bench/judge_prompts.jsonl"))) {
                JsonNode p = Json.MAPPER.readTree(line);
                prompts.put(p.get("name").asText(), p);
            }
            List<JsonNode> bodies = judge.bodies;
            assertEquals(12, bodies.size());
            for (JsonNode body : bodies) {
                // FastChat common.py run_judge_single: chat_completion_openai(..., temperature=0, max_tokens=2048).
                assertEquals(0.0, body.path("temperature").asDouble(-1));
                assertEquals(2048, body.path("max_tokens").asInt());
            }
            JsonNode q81 = question(81);
            String a1 = "answer to " + q81.at("/turns/0").asText().substring(0, 12);
            String a2 = "answer to " + q81.at("/turns/1").asText().substring(0, 12);
            assertEquals(prompts.get("single-v1").get("system_prompt").asText(), system(bodies.get(0)));
            assertEquals(prompts.get("single-v1").get("prompt_template").asText()
                    .replace("{question}", q81.at("/turns/0").asText()).replace("{answer}", a1), user(bodies.get(0)));
            assertEquals(prompts.get("single-v1-multi-turn").get("system_prompt").asText(), system(bodies.get(1)));
            assertEquals(prompts.get("single-v1-multi-turn").get("prompt_template").asText()
                    .replace("{question_1}", q81.at("/turns/0").asText())
                    .replace("{question_2}", q81.at("/turns/1").asText())
                    .replace("{answer_1}", a1).replace("{answer_2}", a2), user(bodies.get(1)));

            // Reasoning turn 2: the math multi-turn prompt with GPT-4's reference answers from
            // reference_answer/gpt-4.jsonl, not question.jsonl's short "reference".
            JsonNode q101 = question(101);
            JsonNode ref101 = reference(101);
            String r1 = "answer to " + q101.at("/turns/0").asText().substring(0, 12);
            String r2 = "answer to " + q101.at("/turns/1").asText().substring(0, 12);
            assertEquals(prompts.get("single-math-v1-multi-turn").get("prompt_template").asText()
                    .replace("{question_1}", q101.at("/turns/0").asText())
                    .replace("{question_2}", q101.at("/turns/1").asText())
                    .replace("{ref_answer_1}", ref101.at("/choices/0/turns/0").asText())
                    .replace("{ref_answer_2}", ref101.at("/choices/0/turns/1").asText())
                    .replace("{answer_1}", r1).replace("{answer_2}", r2), user(bodies.get(3)));
            assertNotEquals(q101.at("/reference/0").asText(), ref101.at("/choices/0/turns/0").asText());
            assertEquals(prompts.get("single-math-v1").get("system_prompt").asText(), system(bodies.get(6)),
                    "coding is judged with the reference prompt too");
            assertTrue(user(bodies.get(6)).contains("[The Start of Reference Answer]"));
            assertTrue(!user(bodies.get(8)).contains("Reference"), "extraction has no reference");
        }
    }

    @Test
    void ratingPatternsAreFastChats() {
        assertEquals(5.0, MtBench.rating("Rating: [[5]]"));
        assertEquals(8.0, MtBench.rating("Rating: [8]"), "the fallback [rating] pattern");
        assertEquals(7.5, MtBench.rating("[[7.5]] and later [3]"));
        assertEquals(2.0, MtBench.rating("see [note] then [2]"));
        assertEquals(8.0, MtBench.rating("[[8.]]"));
        assertEquals(MtBench.UNRATED, MtBench.rating("Rating: 9"));
        assertEquals(MtBench.UNRATED, MtBench.rating("[[07]]"), "ast.literal_eval refuses a leading zero");
        assertEquals(12.0, MtBench.rating("[[12]]"), "FastChat does not range-check");
    }

    @Test
    void aMissingJudgePromptsFileIsAnErrorNamingIt() throws Exception {
        Files.delete(root.resolve("mt-bench/judge_prompts.jsonl"));
        try (FakeJudgeServer judge = new FakeJudgeServer()) {
            TextBenchmarkFixtures.RecordingModel model = new TextBenchmarkFixtures.RecordingModel(q -> "x");
            StageSpec spec = suite(fx, judge, bench(BenchmarkName.MT_BENCH, "mt-bench/question.jsonl"));
            assertEquals(ExitCodes.INVALID_INPUT, run(spec, model));
            String message = fx.result(spec).message;
            assertTrue(message.contains("mt-bench/judge_prompts.jsonl") && message.contains("not found"), message);
            assertEquals(0, model.calls.size(), "nothing is answered before the files are checked");
        }
    }

    @Test
    void aMissingReferenceFileIsAnErrorNamingIt() throws Exception {
        Files.delete(root.resolve("mt-bench/reference_answer/gpt-4.jsonl"));
        try (FakeJudgeServer judge = new FakeJudgeServer()) {
            StageSpec spec = suite(fx, judge, bench(BenchmarkName.MT_BENCH, "mt-bench/question.jsonl"));
            assertEquals(ExitCodes.INVALID_INPUT, run(spec, new TextBenchmarkFixtures.RecordingModel(q -> "x")));
            assertTrue(fx.result(spec).message.contains("reference_answer/gpt-4.jsonl"), fx.result(spec).message);
        }
    }

    @Test
    void overLongTurnsAreCutToTheContextAndCountedNotACrash() throws Exception {
        try (FakeJudgeServer judge = new FakeJudgeServer()) {
            judge.defaultAnswer = "Rating: [[5]]";
            BenchmarkSpec mt = bench(BenchmarkName.MT_BENCH, "mt-bench/question.jsonl");
            mt.limit = 2;
            mt.maxNewTokens = 100;
            // One position per character and a 200-position context: turn 1 of questions 81 (127 characters) and 101
            // (178) leaves fewer than 100 positions (cut); turn 2 carries the 400-character answer (not generated).
            TextBenchmarkFixtures.RecordingModel model = new TextBenchmarkFixtures.RecordingModel(q -> "y".repeat(400));
            model.contextLength = 200;
            model.positionsPerChar = 1;
            assertEquals(ExitCodes.SUCCESS, run(suite(fx, judge, mt), model));
            JsonNode s = Json.MAPPER.readTree(Files.readString(root.resolve("suite/results.json")))
                    .at("/models/base/mt-bench");
            int q81 = question(81).at("/turns/0").asText().length();
            int q101 = question(101).at("/turns/0").asText().length();
            assertEquals(200 - q81, model.calls.get(0).settings().maxNewTokens());
            assertEquals(200 - q101, model.calls.get(1).settings().maxNewTokens());
            assertEquals(2.0, s.path("truncatedTurns").asDouble(), "the first turn of each question was cut");
            assertEquals(2.0, s.path("overlongTurns").asDouble(), "the second turn of each did not fit at all");
            assertEquals(2, model.calls.size(), "an over-long turn is not generated");
            assertEquals(5.0, s.path("score").asDouble(), "and still judged, as FastChat judges an ERROR answer");
            String samples = Files.readString(root.resolve("suite/samples/base/mt-bench.jsonl"));
            assertTrue(samples.contains("\"ERROR\""), samples);
        }
    }

    @Test
    void noisyPhotosAreDrawnPerTurnFromTheFolderDeterministically() throws Exception {
        Path photos = Files.createDirectories(root.resolve("coco"));
        for (int i = 0; i < 5; i++) Files.write(photos.resolve("COCO_" + i + ".jpg"), new byte[] {(byte) i});
        Files.writeString(photos.resolve("notes.txt"), "not a photo");
        try (FakeJudgeServer judge = new FakeJudgeServer()) {
            judge.defaultAnswer = "Rating: [[5]]";
            BenchmarkSpec mt = bench(BenchmarkName.MT_BENCH, "mt-bench/question.jsonl");
            mt.noisyImage = NoisyImage.PHOTOS;
            mt.noisyImageDir = "coco";
            TextBenchmarkFixtures.RecordingModel first = new TextBenchmarkFixtures.RecordingModel(q -> "x");
            assertEquals(ExitCodes.SUCCESS, run(suite(fx, judge, mt), first));
            List<Path> images = first.calls.stream().map(TextBenchmarkFixtures.Call::image).toList();
            assertTrue(images.stream().allMatch(p -> p.getParent().equals(photos)
                    && p.getFileName().toString().endsWith(".jpg")), images.toString());
            assertTrue(images.stream().distinct().count() > 1, "photos are redrawn");
            long turnsWithNewPhoto = 0;
            for (int q = 0; q < images.size(); q += 2) if (!images.get(q).equals(images.get(q + 1))) turnsWithNewPhoto++;
            assertTrue(turnsWithNewPhoto > 0, "the photo is drawn per turn, not per question");
            assertTrue(Files.exists(root.resolve("suite/samples/base/mt-bench-noisy-photos.jsonl")));

            StageFixture again = new StageFixture(root.resolve("again"));
            TextBenchmarkFixtures.copyResources("mt-bench", again.root.resolve("mt-bench"));
            Files.createDirectories(again.root.resolve("coco"));
            try (var files = Files.list(photos)) {
                for (Path p : files.toList()) Files.copy(p, again.root.resolve("coco").resolve(p.getFileName()));
            }
            TextBenchmarkFixtures.RecordingModel second = new TextBenchmarkFixtures.RecordingModel(q -> "x");
            assertEquals(ExitCodes.SUCCESS, again.run(suite(again, judge, mt), new EvaluateStage((d, a) -> second,
                    Map.of(), new JudgeTuning(1, 2, Sleeper.REAL, 30_000, null))));
            assertEquals(images.stream().map(p -> p.getFileName().toString()).toList(),
                    second.calls.stream().map(c -> c.image().getFileName().toString()).toList(),
                    "the draws are seeded: the same photos on another run");
        }
    }

    @Test
    void photosWithoutAFolderAreAnError() throws Exception {
        BenchmarkSpec mt = bench(BenchmarkName.MT_BENCH, "mt-bench/question.jsonl");
        mt.noisyImage = NoisyImage.PHOTOS;
        mt.noisyImageDir = "missing";
        try (FakeJudgeServer judge = new FakeJudgeServer()) {
            StageSpec spec = suite(fx, judge, mt);
            assertEquals(ExitCodes.INVALID_INPUT, run(spec, new TextBenchmarkFixtures.RecordingModel(q -> "x")));
            assertTrue(fx.result(spec).message.contains("noisyImageDir"), fx.result(spec).message);
        }
    }

    private JsonNode question(int id) throws Exception {
        return find(root.resolve("mt-bench/question.jsonl"), id);
    }

    private JsonNode reference(int id) throws Exception {
        return find(root.resolve("mt-bench/reference_answer/gpt-4.jsonl"), id);
    }

    private static JsonNode find(Path file, int id) throws Exception {
        for (String line : Files.readAllLines(file)) {
            JsonNode n = Json.MAPPER.readTree(line);
            if (n.get("question_id").asInt() == id) return n;
        }
        throw new AssertionError("no question " + id + " in " + file);
    }
}
