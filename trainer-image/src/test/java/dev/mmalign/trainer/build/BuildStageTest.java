package dev.mmalign.trainer.build;

import dev.mmalign.trainer.stage.FakePolicyModel;
import dev.mmalign.trainer.stage.PolicyModelLoader;
import dev.mmalign.trainer.stage.StageFixture;
import dev.mmalign.api.dataset.TrainingSetsSpec;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.data.AnnotationRecord;
import dev.mmalign.trainer.data.CompletionRecord;
import dev.mmalign.trainer.data.DpoPairRecord;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.data.SftExampleRecord;
import dev.mmalign.trainer.data.Usage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guards the build stage's files, counts and statistics, and the resumable reference log-prob cache. */
class BuildStageTest {

    @TempDir
    Path root;
    StageFixture fx;

    @BeforeEach
    void setUp() throws Exception {
        fx = new StageFixture(root);
        Files.createDirectories(root.resolve("images"));
        List<PromptRecord> prompts = new ArrayList<>();
        List<CompletionRecord> completions = new ArrayList<>();
        List<AnnotationRecord> annotations = new ArrayList<>();
        int[][] scores = {{4, 0, 2}, {3, 3, 3}, {4, 1, 1}, {2, 0, 4}};
        for (int i = 0; i < scores.length; i++) {
            dev.mmalign.trainer.data.TestImages.png(root.resolve("images/i" + i + ".png"));
            prompts.add(new PromptRecord("p" + i, "i" + i + ".png", "Q" + i, i == 3 ? null : "gold" + i, null, null));
            for (int j = 0; j < 3; j++) {
                String id = "p" + i + "#" + j;
                completions.add(new CompletionRecord("p" + i, id, "c" + i + j, "m", 0.7, 1L));
                int s = scores[i][j];
                annotations.add(new AnnotationRecord("p" + i, id, Map.of("helpfulness", s, "correctness", s,
                        "coherence", s, "complexity", 2, "verbosity", 2), "r", "oracle", Usage.NONE));
            }
        }
        // A fifth prompt with only one of its completions rated: not usable, counted.
        prompts.add(new PromptRecord("p4", "i0.png", "Q4", null, null, null));
        completions.add(new CompletionRecord("p4", "p4#0", "x", "m", 0.7, 1L));
        completions.add(new CompletionRecord("p4", "p4#1", "y", "m", 0.7, 1L));
        annotations.add(new AnnotationRecord("p4", "p4#0", Map.of("helpfulness", 1, "correctness", 1,
                "coherence", 1, "complexity", 1, "verbosity", 1), null, "oracle", Usage.NONE));
        fx.writeJsonl("ds/prompts.jsonl", prompts);
        fx.writeJsonl("ds/completions/completions-00000-of-00001.jsonl", completions);
        fx.writeJsonl("ds/annotations/annotations-00000-of-00001.jsonl", annotations);
        // A duplicate record from a rerun in another shard layout must not count twice.
        fx.writeJsonl("ds/annotations/annotations-00000-of-00002.jsonl", annotations.subList(0, 3));
    }

    private StageSpec spec() {
        StageSpec spec = fx.spec(StageName.build, "ds/sets");
        spec.paths.inputs.put("prompts", "ds/prompts.jsonl");
        spec.paths.inputs.put("completions", "ds/completions");
        spec.paths.inputs.put("annotations", "ds/annotations");
        spec.paths.inputs.put("imageRoot", "images");
        spec.paths.inputs.put("model", "models/base");
        spec.trainingSets = new TrainingSetsSpec();
        return spec;
    }

    @Test
    void writesAllFourSetsWithCountsStatisticsAndReferenceLogps() throws Exception {
        FakePolicyModel model = new FakePolicyModel();
        assertEquals(ExitCodes.SUCCESS, fx.run(spec(), new BuildStage(model.loader())));
        List<DpoPairRecord> pairs = JsonlReader.readAll(root.resolve("ds/sets/dpo.jsonl"), DpoPairRecord.class, null);
        // p0: 12 vs {0, 6} -> pair; p1: all equal -> none; p2: 12 vs 3 -> pair; p3: 12 vs {6, 0} -> pair.
        assertEquals(List.of("p0", "p2", "p3"), pairs.stream().map(DpoPairRecord::id).toList());
        assertEquals(-"c00".length(), pairs.get(0).refChosenLogp());
        assertEquals(6, model.logProbCalls.get());
        StageResult r = fx.result(spec());
        assertEquals(3L, r.counts.get("dpoPairs"));
        assertEquals(1L, r.counts.get("promptsWithoutPair"));
        assertEquals(4L, r.counts.get("annotated"));
        assertEquals(1L, r.counts.get("promptsPartlyAnnotated"));
        assertEquals(4L, r.counts.get("rejectionSampling"));
        assertEquals(12L, r.counts.get("steerLM"));
        assertEquals(3L, r.counts.get("goldSFT"));
        assertEquals(2.0, r.metrics.get("mean/complexity"));
        assertTrue(r.metrics.get("dpo/meanMargin") >= 6.0);
        List<SftExampleRecord> steer = JsonlReader.readAll(root.resolve("ds/sets/steerLM.jsonl"),
                SftExampleRecord.class, null);
        assertTrue(steer.get(0).prompt().contains("Helpfulness:4,Correctness:4"));
        assertEquals("ds/sets/dpo.jsonl", r.artifacts.get("dpo"));
    }

    @Test
    void rerunReusesCachedReferenceLogpsAndComputesOnlyMissingOnes() throws Exception {
        assertEquals(ExitCodes.SUCCESS, fx.run(spec(), new BuildStage(new FakePolicyModel().loader())));
        Path cache = root.resolve("ds/sets/" + BuildStage.REFERENCE_CACHE);
        List<String> lines = Files.readAllLines(cache);
        Files.writeString(cache, lines.get(0) + "\n" + lines.get(1).substring(0, 10)); // killed mid-write
        FakePolicyModel again = new FakePolicyModel();
        assertEquals(ExitCodes.SUCCESS, fx.run(spec(), new BuildStage(again.loader())));
        assertEquals(4, again.logProbCalls.get(), "two pairs recomputed, one reused");
        assertEquals(1L, fx.result(spec()).counts.get("referenceLogpsReused"));
        assertEquals(3, Files.readAllLines(cache).size());
    }

    @Test
    void pairsRecordWhichReferenceModelComputedThemAndAnotherModelDoesNotReuseTheCache() throws Exception {
        assertEquals(ExitCodes.SUCCESS, fx.run(spec(), new BuildStage(new FakePolicyModel().loader())));
        List<DpoPairRecord> pairs = JsonlReader.readAll(root.resolve("ds/sets/dpo.jsonl"), DpoPairRecord.class, null);
        Path base = root.resolve("models/base");
        for (DpoPairRecord p : pairs) {
            assertEquals(new DpoPairRecord.ReferenceModel(base.toString(), "fake:" + base), p.referenceModel());
        }
        assertTrue(Files.readString(root.resolve("ds/sets/dpo.jsonl")).contains(
                "\"" + dev.mmalign.api.dataset.ReferenceStamp.FIELD + "\":{\"path\":"));
        // Another reference model: nothing cached by the first may be reused.
        StageSpec other = spec();
        other.paths.inputs.put("model", "models/other");
        FakePolicyModel again = new FakePolicyModel();
        assertEquals(ExitCodes.SUCCESS, fx.run(other, new BuildStage(again.loader())));
        assertEquals(6, again.logProbCalls.get(), "all three pairs recomputed");
        assertEquals(0L, fx.result(other).counts.get("referenceLogpsReused"));
    }

    @Test
    void precomputingWithoutAModelIsAConfigurationError() throws Exception {
        StageSpec spec = spec();
        spec.paths.inputs.remove("model");
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(spec, new BuildStage(new FakePolicyModel().loader())));
        spec.trainingSets.dpo.precomputeReferenceLogProbs = false;
        assertEquals(ExitCodes.SUCCESS, fx.run(spec, new BuildStage(PolicyModelLoader.unavailable())));
    }

    @Test
    void anAnnotationOfAnUnknownCompletionPromptIsInvalidInput() throws Exception {
        fx.writeJsonl("ds/completions/completions-00001-of-00002.jsonl",
                List.of(new CompletionRecord("ghost", "ghost#0", "t", "m", 0.7, 1L)));
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(spec(), new BuildStage(new FakePolicyModel().loader())));
        assertTrue(fx.result(spec()).message.contains("completions-00001-of-00002.jsonl:1: completion ghost#0 "
                + "refers to unknown prompt ghost"));
    }
}
