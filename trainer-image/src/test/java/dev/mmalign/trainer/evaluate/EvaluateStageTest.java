package dev.mmalign.trainer.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.api.bench.BenchmarkSpec;
import dev.mmalign.api.bench.NoisyImage;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.ResolvedModel;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.annotate.JudgeTuning;
import dev.mmalign.trainer.data.Json;
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

        ScriptedModel(BiFunction<Path, String, String> rule) {
            this.rule = rule;
        }

        @Override
        public List<String> generate(Path image, List<ChatMessage> conversation, GenerationSettings s) {
            calls++;
            images.add(image);
            String answer = rule.apply(image, conversation.get(conversation.size() - 1).content());
            afterCall.run();
            return List.of(answer);
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
                "always answering A never survives the rotations");
        List<String> rows = Files.readAllLines(root.resolve("world/mmbench-heldout.tsv"));
        long answerA = rows.stream().skip(1).filter(r -> r.split("\t")[7].equals("A")).count();
        assertEquals(answerA / (double) (rows.size() - 1), results.at("/models/base/mmbench/firstPassAccuracy")
                .asDouble(), 1e-12, "without rotation, always-A scores the share of A answers");
        assertEquals(8.0, results.at("/models/base/exact-match/n").asDouble());
        String report = Files.readString(root.resolve("suite/report.html"));
        assertTrue(report.contains("<table>") && report.contains("<svg") && report.contains("dpo"));
        assertTrue(report.contains("(baseline)"));
        assertTrue(Files.readAllLines(root.resolve("suite/samples/dpo/pope.jsonl")).size() == 12);
        StageResult r = fx.result(spec("base", "dpo"));
        assertEquals(0.5, r.metrics.get("dpo/pope/accuracy"));
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
}
