package dev.mmalign.trainer.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.api.bench.BenchmarkSpec;
import dev.mmalign.api.bench.NoisyImage;
import dev.mmalign.api.common.JudgeProvider;
import dev.mmalign.api.common.JudgeSpec;
import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.ResolvedModel;
import dev.mmalign.api.stage.StageInputs;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.annotate.FakeJudgeServer;
import dev.mmalign.trainer.data.Json;
import dev.mmalign.trainer.judge.JudgeTuning;
import dev.mmalign.trainer.net.Sleeper;
import dev.mmalign.trainer.stage.ChatMessage;
import dev.mmalign.trainer.stage.GenerationSettings;
import dev.mmalign.trainer.stage.PolicyModel;
import dev.mmalign.trainer.stage.PolicyModelLoader;
import dev.mmalign.trainer.stage.StageFixture;
import dev.mmalign.trainer.synthetic.SyntheticWorld;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guards the evaluate stage on the synthetic world's held-out benchmarks: results.json shape, the report, per-sample
 * files, noisy images, resume after a stop, judge-scored benchmarks through a judge server, and configuration errors.
 */
class EvaluateStageTest {

    @TempDir
    Path root;
    StageFixture fx;

    /** Answers by a rule of the test's choosing; records images and counts calls. */
    static final class ScriptedModel implements PolicyModel {
        final BiFunction<Path, String, String> rule;
        final List<Path> images = Collections.synchronizedList(new ArrayList<>());
        int calls;
        Runnable afterCall = () -> {};
        final List<Integer> maxNewTokens = Collections.synchronizedList(new ArrayList<>());
        int contextLength = Integer.MAX_VALUE;
        /** Prompt positions per call of promptPositions; default 0 (every prompt fits). */
        java.util.function.IntUnaryOperator positionsOfCall = i -> 0;
        private final java.util.concurrent.atomic.AtomicInteger positionCalls = new java.util.concurrent.atomic.AtomicInteger();

        ScriptedModel(BiFunction<Path, String, String> rule) {
            this.rule = rule;
        }

        @Override
        public List<String> generate(Path image, List<ChatMessage> conversation, GenerationSettings s) {
            calls++;
            images.add(image);
            maxNewTokens.add(s.maxNewTokens());
            String answer = rule.apply(image, conversation.get(conversation.size() - 1).content());
            afterCall.run();
            return List.of(answer);
        }

        @Override
        public int contextLength() {
            return contextLength;
        }

        @Override
        public int promptPositions(Path image, List<ChatMessage> conversation) {
            return positionsOfCall.applyAsInt(positionCalls.getAndIncrement());
        }

        @Override
        public double logProb(Path image, String prompt, String response, boolean average) {
            return 0;
        }
    }

    @BeforeEach
    void setUp() {
        fx = new StageFixture(root);
        SyntheticWorld.write(root.resolve("world"), new SyntheticWorld.Config(0, 6, 0, 8, 32, 3, 3));
    }

    private static BenchmarkSpec bench(BenchmarkName name, String path, String images) {
        BenchmarkSpec b = new BenchmarkSpec();
        b.name = name;
        b.dataPath = path;
        b.imageRoot = images;
        return b;
    }

    private StageSpec spec(String... models) {
        StageSpec spec = fx.spec(StageName.evaluate, "suite");
        spec.models = new ArrayList<>();
        for (String m : models) spec.models.add(new ResolvedModel(m, "models/" + m, null));
        spec.benchmarks = new ArrayList<>(List.of(
                bench(BenchmarkName.POPE, "world/pope-heldout.jsonl", "world/images"),
                bench(BenchmarkName.MMBENCH, "world/mmbench-heldout.tsv", "world/images"),
                bench(BenchmarkName.EXACT_MATCH, "world/text-heldout.jsonl", null)));
        return spec;
    }

    private static PolicyModelLoader loaderOf(Map<String, ScriptedModel> byName) {
        return (dir, adapter) -> byName.get(dir.getFileName().toString());
    }

    @Test
    void scoresEveryModelAndWritesResultsReportAndSamples() throws Exception {
        ScriptedModel yes = new ScriptedModel((img, q) -> "Yes, it is there. A");
        ScriptedModel no = new ScriptedModel((img, q) -> "No.");
        int code = fx.run(spec("base", "dpo"), new EvaluateStage(loaderOf(Map.of("base", yes, "dpo", no)), Map.of(),
                JudgeTuning.standard()));
        assertEquals(ExitCodes.SUCCESS, code);
        JsonNode results = Json.MAPPER.readTree(Files.readString(root.resolve("suite/results.json")));
        assertEquals(1.0, results.at("/models/base/pope/yesRatio").asDouble());
        assertEquals(1.0, results.at("/models/base/pope/recall").asDouble());
        assertEquals(0.0, results.at("/models/dpo/pope/yesRatio").asDouble());
        assertEquals(0.5, results.at("/models/dpo/pope/accuracy").asDouble(), "half the POPE questions are no");
        assertEquals(0.0, results.at("/models/base/mmbench/accuracy").asDouble(),
                "always answering A never survives the circular copies");
        List<String[]> mainRows = Files.readAllLines(root.resolve("world/mmbench-heldout.tsv")).stream().skip(1)
                .map(r -> r.split("\t")).filter(r -> Long.parseLong(r[0]) < 1_000_000).toList();
        long answerA = mainRows.stream().filter(r -> r[7].equals("A")).count();
        assertEquals(answerA / (double) mainRows.size(), results.at("/models/base/mmbench/firstPassAccuracy")
                .asDouble(), 1e-12, "on the main rows alone, always-A scores the share of A answers");
        assertEquals(mainRows.size(), results.at("/models/base/mmbench/n").asDouble(), "one result per question");
        assertEquals(8.0, results.at("/models/base/exact-match/n").asDouble());
        String report = Files.readString(root.resolve("suite/report.html"));
        assertTrue(report.contains("<table>") && report.contains("<svg") && report.contains("dpo"));
        assertTrue(report.contains("(baseline)"));
        assertTrue(report.contains("<h3>mmbench</h3>")
                && report.contains("<td>accuracy/attribute_recognition</td>"),
                "MMBench's per-category breakdown is reported");
        assertEquals(0.0, results.at("/models/base/mmbench/accuracy~1attribute_recognition").asDouble());
        assertTrue(Files.readAllLines(root.resolve("suite/samples/dpo/pope.jsonl")).size() == 12);
        StageResult r = fx.result(spec("base", "dpo"));
        assertEquals(0.5, r.metrics.get("dpo/pope/accuracy"));
    }

    /**
     * Guards the suite's report step (paths.inputs.results): it merges the results each model's evaluate pod wrote
     * into {@code <results>/<model>/results.json}, in the spec's model order, and renders the report, without loading
     * a model or answering a question (the loader here fails on use; the old report step evaluated every model
     * again).
     */
    @Test
    void theReportStepMergesThePerModelResultsAndEvaluatesNothing() throws Exception {
        Path models = root.resolve("suite/models");
        ResultsFile.merge(models.resolve("dpo/results.json"), models.resolve("dpo/report.html"), "dpo",
                Map.of("pope", Map.of("f1", 0.70, "accuracy", 0.65)));
        ResultsFile.merge(models.resolve("base/results.json"), models.resolve("base/report.html"), "base",
                Map.of("pope", Map.of("f1", 0.61, "accuracy", 0.56)));
        StageSpec spec = spec("base", "dpo");
        spec.paths.inputs.put(StageInputs.RESULTS, "suite/models");

        assertEquals(ExitCodes.SUCCESS, fx.run(spec, new EvaluateStage(PolicyModelLoader.unavailable(), Map.of(),
                JudgeTuning.standard())));
        JsonNode results = Json.MAPPER.readTree(Files.readString(root.resolve("suite/results.json")));
        assertEquals(List.of("base", "dpo"), iterator(results.get("models").fieldNames()), "the spec's order");
        assertEquals(0.70, results.at("/models/dpo/pope/f1").asDouble());
        assertEquals(0.56, results.at("/models/base/pope/accuracy").asDouble());
        assertFalse(Files.exists(root.resolve("suite/samples")), "no question answered again");
        String report = Files.readString(root.resolve("suite/report.html"));
        assertTrue(report.contains("(baseline)") && report.contains("0.700"), "the merged table is rendered");
        StageResult r = fx.result(spec);
        assertEquals("suite/report.html", r.artifacts.get("report"));
        assertEquals(0.70, r.metrics.get("dpo/pope/f1"));
    }

    /** Guards that a model without results fails the report step naming its file (exit 2), not a silent gap. */
    @Test
    void theReportStepNamesAModelWithoutResults() throws Exception {
        ResultsFile.merge(root.resolve("suite/models/base/results.json"), root.resolve("suite/models/base/r.html"),
                "base", Map.of("pope", Map.of("f1", 0.61)));
        StageSpec spec = spec("base", "dpo");
        spec.paths.inputs.put(StageInputs.RESULTS, "suite/models");
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(spec, new EvaluateStage(PolicyModelLoader.unavailable(),
                Map.of(), JudgeTuning.standard())));
        assertTrue(fx.result(spec).message.contains("suite/models/dpo/results.json"), fx.result(spec).message);
    }

    private static List<String> iterator(java.util.Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void noisyImageVariantPutsDeterministicNoiseInContextOfTextOnlyQuestions() throws Exception {
        StageSpec spec = spec("base");
        BenchmarkSpec random = bench(BenchmarkName.EXACT_MATCH, "world/text-heldout.jsonl", null);
        random.noisyImage = NoisyImage.RANDOM;
        BenchmarkSpec blank = bench(BenchmarkName.EXACT_MATCH, "world/text-heldout.jsonl", null);
        blank.noisyImage = NoisyImage.BLANK;
        spec.benchmarks = new ArrayList<>(List.of(random, blank));
        ScriptedModel model = new ScriptedModel((img, q) -> "x");
        assertEquals(ExitCodes.SUCCESS, fx.run(spec, new EvaluateStage(loaderOf(Map.of("base", model)), Map.of(),
                JudgeTuning.standard())));
        List<Path> randomImages = model.images.subList(0, 8);
        List<Path> blankImages = model.images.subList(8, 16);
        assertTrue(randomImages.stream().allMatch(p -> p != null && Files.exists(p)));
        assertEquals(8, randomImages.stream().distinct().count(), "one noise image per question");
        assertEquals(1, blankImages.stream().distinct().count(), "one blank image for all");
        byte[] before = Files.readAllBytes(randomImages.get(0));
        Files.delete(randomImages.get(0));
        NoisyImages.imageFor(NoisyImage.RANDOM, "text-heldout-0", randomImages.get(0).getParent());
        assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(Files.readAllBytes(randomImages.get(0))),
                "the noise is seeded by the question id");
        JsonNode results = Json.MAPPER.readTree(Files.readString(root.resolve("suite/results.json")));
        assertNotNull(results.at("/models/base/exact-match-noisy-random/accuracy"));
        assertNotEquals(true, results.at("/models/base/exact-match-noisy-blank").isMissingNode());
    }

    @Test
    void stopThenRerunAnswersEachQuestionOnce() throws Exception {
        StageSpec spec = spec("base");
        spec.benchmarks = new ArrayList<>(List.of(bench(BenchmarkName.POPE, "world/pope-heldout.jsonl",
                "world/images")));
        spec.benchmarks.get(0).batchSize = 1; // a stop is seen between batches (BatchedEvaluationTest: larger ones)
        ScriptedModel first = new ScriptedModel((img, q) -> "Yes");
        first.afterCall = () -> {
            if (first.calls == 5) fx.stop.request();
        };
        assertEquals(143, fx.run(spec, new EvaluateStage(loaderOf(Map.of("base", first)), Map.of(),
                JudgeTuning.standard())));
        assertEquals(5, Files.readAllLines(root.resolve("suite/samples/base/pope.jsonl")).size());

        StageFixture again = new StageFixture(root);
        ScriptedModel second = new ScriptedModel((img, q) -> "Yes");
        assertEquals(ExitCodes.SUCCESS, again.run(spec, new EvaluateStage(loaderOf(Map.of("base", second)), Map.of(),
                JudgeTuning.standard())));
        assertEquals(7, second.calls);
        assertEquals(12.0, again.result(spec).metrics.get("base/pope/n"));
    }

    /**
     * Guards the wiring of MM-Vet and LLaVA-Bench through the stage and a judge server: MM-Vet's requests carry no
     * system message and re-ask with the retry prompt, LLaVA-Bench's carry the official system message and no image,
     * and the breakdowns land in results.json (the figures are those of the *OfficialScoreTest classes).
     */
    @Test
    void mmVetAndLlavaBenchGoThroughTheJudgeAsTheOfficialGradersDo() throws Exception {
        BenchmarkFixtures.copy(root.resolve("benchmarks"), "mm-vet", List.of("mm-vet.json",
                "mm-vet_grader_prompt.txt"));
        BenchmarkFixtures.images(root.resolve("benchmarks/mm-vet/images"),
                List.of("v1_0.png", "v1_17.jpg", "v1_37.jpg", "v1_39.jpg"));
        BenchmarkFixtures.copy(root.resolve("benchmarks"), "llava-bench-in-the-wild", List.of("questions.jsonl",
                "answers_gpt4.jsonl", "context.jsonl", "rule.json"));
        BenchmarkFixtures.images(root.resolve("benchmarks/llava-bench-in-the-wild/images"),
                List.of("001.jpg", "002.jpg"));
        try (FakeJudgeServer judge = new FakeJudgeServer()) {
            judge.then(FakeJudgeServer.Fault.answer("0.0"), 1).then(FakeJudgeServer.Fault.answer("1.0"), 1)
                    .then(FakeJudgeServer.Fault.answer("nope"), 1).then(FakeJudgeServer.Fault.answer("0.5"), 1)
                    .then(FakeJudgeServer.Fault.answer("N/A"), 5)
                    .then(FakeJudgeServer.Fault.answer("8 10\nwhy"), 1).then(FakeJudgeServer.Fault.answer("9 6.5"), 1)
                    .then(FakeJudgeServer.Fault.answer("8 6"), 1).then(FakeJudgeServer.Fault.answer("9 2"), 1)
                    .then(FakeJudgeServer.Fault.answer("Assistant 1: 9, Assistant 2: 2"), 1);
            StageSpec spec = spec("base");
            spec.benchmarks = new ArrayList<>(List.of(
                    bench(BenchmarkName.MM_VET, "benchmarks/mm-vet/mm-vet.json", "benchmarks/mm-vet/images"),
                    bench(BenchmarkName.LLAVA_BENCH, "benchmarks/llava-bench-in-the-wild/questions.jsonl",
                            "benchmarks/llava-bench-in-the-wild/images")));
            spec.judge = new JudgeSpec();
            spec.judge.provider = JudgeProvider.OPENAI_COMPATIBLE;
            spec.judge.endpoint = judge.baseUrl() + "/v1";
            spec.judge.model = "judge";
            ScriptedModel model = new ScriptedModel((img, q) -> "an answer");
            // 60 s, not 2 s: at load average 30 a 2 s timeout expired, and the retry took the next scripted answer
            // (the scores came out wrong: seen once in this session).
            assertEquals(ExitCodes.SUCCESS, fx.run(spec, new EvaluateStage(loaderOf(Map.of("base", model)), Map.of(),
                    new JudgeTuning(1, 2, Sleeper.REAL, 60_000, null))));
            JsonNode results = Json.MAPPER.readTree(Files.readString(root.resolve("suite/results.json")));
            JsonNode vet = results.at("/models/base/mm-vet");
            assertEquals(37.5, vet.path("score").asDouble(), 1e-9);
            assertEquals(50.0, vet.path("score/rec").asDouble(), 1e-9);
            JsonNode llava = results.at("/models/base/llava-bench");
            assertEquals(71.2, llava.path("relativeScore").asDouble());
            assertEquals(68.8, llava.path("relativeScore/conv").asDouble());
            assertEquals(14, judge.bodies.size(), "4 + 1 + 4 MM-Vet requests, 5 LLaVA-Bench");
            JsonNode vetRetry = judge.bodies.get(3).path("messages");
            assertEquals(1, vetRetry.size(), "MM-Vet: the user message only");
            assertTrue(vetRetry.get(0).toString().contains("Predict the correctness of the answer (digit): "));
            JsonNode review = judge.bodies.get(9).path("messages");
            assertEquals(LlavaBenchReview.SYSTEM, review.get(0).path("content").asText());
            assertTrue(review.get(1).toString().contains("[Context]") && !review.get(1).toString().contains(
                    "image_url"), "LLaVA-Bench: the captions, not the image");
            // The request parameters of the official scripts, on the wire.
            List<Double> vetTemperatures = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                assertEquals(3, judge.bodies.get(i).path("max_tokens").asInt(), "mm-vet_evaluator.py max_tokens=3");
                vetTemperatures.add(judge.bodies.get(i).path("temperature").asDouble());
            }
            assertEquals(List.of(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 1.0, 1.5), vetTemperatures,
                    "0.0 for each first request and first re-ask, then +0.5 per re-ask (v1_39's five replies)");
            for (int i = 9; i < 14; i++) {
                assertEquals(0.2, judge.bodies.get(i).path("temperature").asDouble(), "eval_gpt_review_bench.py");
                assertEquals(1024, judge.bodies.get(i).path("max_tokens").asInt(), "its --max-tokens default");
            }
        }
    }

    /**
     * Guards the over-long input rule on the image benchmarks (POPE, MMBench, MM-Vet, LLaVA-Bench), the one MT-Bench
     * uses (BoundedAnswer): a prompt leaving less room than maxNewTokens gets the room left (counted truncated), one
     * that fills the context alone is not generated and answers "ERROR" (counted overlong); the run succeeds and the
     * counts are in every benchmark's results. Here every other prompt fills the 1000-position context and the rest
     * leave 5 positions.
     */
    @Test
    void overLongInputsOfImageBenchmarksAreCutOrAnsweredErrorAndCountedNotACrash() throws Exception {
        BenchmarkFixtures.copy(root.resolve("benchmarks"), "mm-vet", List.of("mm-vet.json",
                "mm-vet_grader_prompt.txt"));
        BenchmarkFixtures.images(root.resolve("benchmarks/mm-vet/images"),
                List.of("v1_0.png", "v1_17.jpg", "v1_37.jpg", "v1_39.jpg"));
        BenchmarkFixtures.copy(root.resolve("benchmarks"), "llava-bench-in-the-wild", List.of("questions.jsonl",
                "answers_gpt4.jsonl", "context.jsonl", "rule.json"));
        BenchmarkFixtures.images(root.resolve("benchmarks/llava-bench-in-the-wild/images"),
                List.of("001.jpg", "002.jpg"));
        try (FakeJudgeServer judge = new FakeJudgeServer()) {
            judge.defaultAnswer = "1.0 1.0"; // MM-Vet reads 1.0; LLaVA-Bench reads the pair
            StageSpec spec = spec("base");
            spec.benchmarks.remove(2); // the text benchmark
            spec.benchmarks.add(bench(BenchmarkName.MM_VET, "benchmarks/mm-vet/mm-vet.json",
                    "benchmarks/mm-vet/images"));
            spec.benchmarks.add(bench(BenchmarkName.LLAVA_BENCH, "benchmarks/llava-bench-in-the-wild/questions.jsonl",
                    "benchmarks/llava-bench-in-the-wild/images"));
            spec.judge = new JudgeSpec();
            spec.judge.provider = JudgeProvider.OPENAI_COMPATIBLE;
            spec.judge.endpoint = judge.baseUrl() + "/v1";
            spec.judge.model = "judge";
            ScriptedModel model = new ScriptedModel((img, q) -> "Yes. A");
            model.contextLength = 1000;
            model.positionsOfCall = i -> i % 2 == 1 ? 1000 : 995;
            assertEquals(ExitCodes.SUCCESS, fx.run(spec, new EvaluateStage(loaderOf(Map.of("base", model)), Map.of(),
                    new JudgeTuning(1, 2, Sleeper.REAL, 30_000, null))));
            JsonNode results = Json.MAPPER.readTree(Files.readString(root.resolve("suite/results.json")));
            double truncated = 0;
            double overlong = 0;
            for (String b : List.of("pope", "mmbench", "mm-vet", "llava-bench")) {
                JsonNode m = results.at("/models/base/" + b);
                long n = Files.readAllLines(root.resolve("suite/samples/base/" + b + ".jsonl")).stream()
                        .filter(l -> !l.isBlank()).count();
                assertTrue(n >= 2, b);
                assertEquals((double) n, m.path("truncatedTurns").asDouble() + m.path("overlongTurns").asDouble(),
                        b + ": every answer was cut or did not fit: " + m);
                truncated += m.path("truncatedTurns").asDouble();
                overlong += m.path("overlongTurns").asDouble();
            }
            assertEquals(model.calls, (int) truncated, "a cut answer is generated");
            assertTrue(overlong >= 4, "an over-long prompt is not generated: " + overlong);
            assertTrue(model.maxNewTokens.stream().allMatch(t -> t == 5), "cut to the room left: " + model.maxNewTokens);
            assertTrue(Files.readString(root.resolve("suite/samples/base/mm-vet.jsonl")).contains("\"ERROR\""),
                    "FastChat's ERROR answer stands in and is graded");
        }
    }

    @Test
    void judgeScoredBenchmarkWithoutAJudgeIsAConfigurationError() throws Exception {
        StageSpec spec = spec("base");
        spec.benchmarks = new ArrayList<>(List.of(bench(BenchmarkName.MT_BENCH, "question.jsonl", null)));
        Files.writeString(root.resolve("question.jsonl"), "{\"question_id\":1,\"turns\":[\"hi\"]}\n");
        Files.copy(TextBenchmarkFixtures.copyResources("mt-bench", root.resolve("fastchat"))
                .resolve("judge_prompts.jsonl"), root.resolve("judge_prompts.jsonl"));
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(spec, new EvaluateStage(PolicyModelLoader.unavailable(),
                Map.of(), JudgeTuning.standard())));
        assertTrue(fx.result(spec).message.contains("need judge"));
    }

    // ---- the judge's spend is kept across reruns ----

    private StageSpec llavaBenchWithBudget(FakeJudgeServer judge, double maxCostUsd) throws Exception {
        BenchmarkFixtures.copy(root.resolve("benchmarks"), "llava-bench-in-the-wild", List.of("questions.jsonl",
                "answers_gpt4.jsonl", "context.jsonl", "rule.json"));
        BenchmarkFixtures.images(root.resolve("benchmarks/llava-bench-in-the-wild/images"),
                List.of("001.jpg", "002.jpg"));
        StageSpec spec = spec("base");
        spec.benchmarks = new ArrayList<>(List.of(bench(BenchmarkName.LLAVA_BENCH,
                "benchmarks/llava-bench-in-the-wild/questions.jsonl", "benchmarks/llava-bench-in-the-wild/images")));
        spec.judge = new JudgeSpec();
        spec.judge.provider = JudgeProvider.OPENAI_COMPATIBLE;
        spec.judge.endpoint = judge.baseUrl() + "/v1";
        spec.judge.model = "judge";
        spec.judge.inputPricePerMillionTokens = 1.0;
        spec.judge.outputPricePerMillionTokens = 2.0;
        spec.judge.maxCostUSD = maxCostUsd;
        return spec;
    }

    private int runWithJudge(StageSpec spec) throws Exception {
        ScriptedModel model = new ScriptedModel((img, q) -> "an answer");
        // A generous timeout: on a loaded machine a 2 s one expires, and the retry would be one more request.
        return new StageFixture(root).run(spec, new EvaluateStage(loaderOf(Map.of("base", model)), Map.of(),
                new JudgeTuning(1, 2, Sleeper.REAL, 60_000, null)));
    }

    /**
     * Guards the "re-runs keep the budget exactly" for evaluate: each request costs 1000 input tokens at
     * 1 USD/M + 200 output tokens at 2 USD/M = 0.0014 USD. A 0.0035 budget allows three (the check is before each:
     * 0, 0.0014, 0.0028 are under it; 0.0042 is not), then exit 3. A rerun with the same budget must send nothing
     * (without the ledger it would start from 0 and pay three more); a larger budget finishes the other two.
     */
    @Test
    void theJudgeSpendIsKeptAcrossRerunsSoTheBudgetHoldsExactly() throws Exception {
        try (FakeJudgeServer judge = new FakeJudgeServer()) {
            judge.defaultAnswer = "8 6";
            StageSpec spec = llavaBenchWithBudget(judge, 0.0035);
            assertEquals(ExitCodes.BUDGET_EXHAUSTED, runWithJudge(spec));
            assertEquals(3, judge.requests.get());
            StageResult first = fx.result(spec);
            assertEquals(3L, first.counts.get("judgeRequests"));
            assertEquals(0.0042, first.metrics.get("judgeCostUSD"), 1e-9);
            assertTrue(Files.exists(root.resolve("suite/" + ArtifactLayout.shardFile(ArtifactLayout.SPEND_PREFIX, 0,
                    1, "jsonl"))));

            assertEquals(ExitCodes.BUDGET_EXHAUSTED, runWithJudge(spec));
            assertEquals(3, judge.requests.get(), "the rerun starts from what was paid and sends nothing");
            assertEquals(3L, fx.result(spec).counts.get("judgeRequests"));

            spec.judge.maxCostUSD = 1.0;
            assertEquals(ExitCodes.SUCCESS, runWithJudge(spec));
            assertEquals(5, judge.requests.get(), "the other two questions, each once");
            assertEquals(5L, fx.result(spec).counts.get("judgeRequests"));
            assertEquals(0.007, fx.result(spec).metrics.get("judgeCostUSD"), 1e-9);
        }
    }

    /** Paid attempts that ended in no verdict (a 500 after its retries) count towards the budget too. */
    @Test
    void failedJudgeRequestsAreInTheLedgerToo() throws Exception {
        try (FakeJudgeServer judge = new FakeJudgeServer()) {
            judge.defaultAnswer = "8 6";
            judge.then(FakeJudgeServer.Fault.status(500), 1);
            StageSpec spec = llavaBenchWithBudget(judge, 1.0);
            assertEquals(ExitCodes.SUCCESS, runWithJudge(spec));
            assertEquals(6, judge.requests.get(), "five questions, one retried");
            assertEquals(6L, fx.result(spec).counts.get("judgeRequests"));
            assertEquals(0.007, fx.result(spec).metrics.get("judgeCostUSD"), 1e-9, "the 500 billed no tokens");
        }
    }

    // ---- bad and empty benchmark files: exit 2 naming file:line ----

    @Test
    void aCorruptPopeLineIsInvalidInputNamingFileAndLine() throws Exception {
        Path pope = root.resolve("world/pope-heldout.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(pope));
        lines.add(2, "{\"question_id\": 3, \"text\": ");
        Files.write(pope, lines);
        StageSpec spec = spec("base");
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(spec, new EvaluateStage(PolicyModelLoader.unavailable(),
                Map.of(), JudgeTuning.standard())));
        assertTrue(fx.result(spec).message.contains("pope-heldout.jsonl:3"), fx.result(spec).message);
    }

    @Test
    void anEmptyBenchmarkFileIsInvalidInput() throws Exception {
        Files.writeString(root.resolve("world/text-heldout.jsonl"), "");
        StageSpec spec = spec("base");
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(spec, new EvaluateStage(PolicyModelLoader.unavailable(),
                Map.of(), JudgeTuning.standard())));
        assertTrue(fx.result(spec).message.contains("text-heldout.jsonl"), fx.result(spec).message);
    }

    @Test
    void aMmbenchRowWithTooFewColumnsIsInvalidInputNamingFileAndLine() throws Exception {
        Path tsv = root.resolve("world/mmbench-heldout.tsv");
        List<String> lines = new ArrayList<>(Files.readAllLines(tsv));
        lines.add(3, "999\tonly two");
        Files.write(tsv, lines);
        StageSpec spec = spec("base");
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(spec, new EvaluateStage(PolicyModelLoader.unavailable(),
                Map.of(), JudgeTuning.standard())));
        assertTrue(fx.result(spec).message.contains("mmbench-heldout.tsv:4"), fx.result(spec).message);
    }

    /** A failed rerun keeps the samples already scored. */
    @Test
    void aBadBenchmarkFileOnRerunLosesNoSamples() throws Exception {
        StageSpec spec = spec("base");
        ScriptedModel model = new ScriptedModel((img, q) -> "Yes");
        assertEquals(ExitCodes.SUCCESS, fx.run(spec, new EvaluateStage(loaderOf(Map.of("base", model)), Map.of(),
                JudgeTuning.standard())));
        byte[] samples = Files.readAllBytes(root.resolve("suite/samples/base/pope.jsonl"));
        Files.writeString(root.resolve("world/text-heldout.jsonl"), "not json\n");
        assertEquals(ExitCodes.INVALID_INPUT, new StageFixture(root).run(spec, new EvaluateStage(
                loaderOf(Map.of("base", model)), Map.of(), JudgeTuning.standard())));
        assertEquals(java.util.Arrays.toString(samples),
                java.util.Arrays.toString(Files.readAllBytes(root.resolve("suite/samples/base/pope.jsonl"))));
    }
}
