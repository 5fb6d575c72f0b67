package dev.mmalign.trainer.engine.train;

import dev.mmalign.trainer.data.DpoPairRecord;
import dev.mmalign.trainer.data.SftExampleRecord;
import dev.mmalign.trainer.data.AtomicFiles;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.engine.lora.LoraConfig;
import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.BaseNDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.bench.ToyData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Guards the optimiser loop: DPO learning, TRL metrics, resume, atomic checkpoints, accumulation, memory. */
class TrainingLoopTest {
    @TempDir Path dir;
    List<String> images;

    @BeforeEach
    void data() throws Exception {
        images = ToyData.writeImages(dir.resolve("img"), 8, 16);
    }

    private static TrainConfig dpoConfig() {
        TrainConfig cfg = TrainConfig.builder()
                .lora(LoraConfig.builder().rank(8).alpha(16).dropout(0.1).build()) // exercises the RNG, so resume must restore it
                .batchSize(2)
                .gradientAccumulation(2)
                .epochs(3) // 8 pairs / (2 · 2) = 2 steps per epoch → 6 steps
                .learningRate(2e-3)
                .build();
        return cfg;
    }

    @Test
    void dpoOnToyPreferencesReachesHighAccuracyWithRisingMarginsAndUnchangedReference() throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 5)) {
            TrainConfig cfg = dpoConfig();
            cfg = cfg.toBuilder().lora(cfg.lora().toBuilder().dropout(0).build())
                    .batchSize(4)
                    .gradientAccumulation(1)
                    .epochs(10)
                    .build();
            Path root = dir.resolve("img");
            List<DpoPairRecord> pairs = DpoTrainer.precomputeReference(vlm, ToyData.preferencePairs(images), cfg, root);
            AtomicFiles.writeJsonl(dir.resolve("pairs.jsonl"), pairs);
            List<DpoPairRecord> stored = JsonlReader.readAll(dir.resolve("pairs.jsonl"), DpoPairRecord.class, null);
            assertTrue(stored.stream().allMatch(DpoPairRecord::hasReference), "reference log-probs stored with the pairs");
            List<Map<String, Double>> metrics = new ArrayList<>();
            TrainResult r = new DpoTrainer(vlm, cfg, root).train(stored, dir.resolve("out"),
                    (s, t, m) -> metrics.add(m), null);
            assertEquals(20, r.steps());
            for (String k : List.of("loss", "rewards/chosen", "rewards/rejected", "rewards/accuracies",
                    "rewards/margins", "learning_rate", "grad_norm", "tokens_per_second")) {
                assertTrue(metrics.get(0).containsKey(k), k);
            }
            assertTrue(r.lastMetrics().get("rewards/accuracies") >= 0.9);
            assertTrue(r.lastMetrics().get("rewards/margins") > metrics.get(0).get("rewards/margins") + 0.05);
            assertTrue(r.lastMetrics().get("loss") < metrics.get(0).get("loss"));
            // The reference (base model, LoRA off) recomputed after training is bit-identical.
            List<DpoPairRecord> stripped = new ArrayList<>();
            for (DpoPairRecord p : pairs) {
                stripped.add(new DpoPairRecord(p.id(), p.images(), p.prompt(), p.chosen(), p.rejected(), null, null, null, null));
            }
            List<DpoPairRecord> again = DpoTrainer.precomputeReference(vlm, stripped, cfg, root);
            for (int i = 0; i < pairs.size(); i++) {
                assertEquals(pairs.get(i).refChosenLogp(), again.get(i).refChosenLogp());
                assertEquals(pairs.get(i).refRejectedLogp(), again.get(i).refRejectedLogp());
            }
        }
    }

    @Test
    void runStoppedAtStepThreeAndResumedReproducesTheUninterruptedLosses() throws Exception {
        List<DpoPairRecord> pairs = ToyData.preferencePairs(images);
        TrainResult full;
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 1)) {
            full = new DpoTrainer(vlm, dpoConfig(), dir.resolve("img")).train(pairs, dir.resolve("a"), null, null);
        }
        assertEquals(6, full.losses().size());
        AtomicBoolean stop = new AtomicBoolean();
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 1)) {
            TrainResult first = new DpoTrainer(vlm, dpoConfig(), dir.resolve("img")).train(pairs, dir.resolve("b"),
                    (s, t, m) -> {
                        if (s == 3) {
                            stop.set(true);
                        }
                    }, stop::get);
            assertTrue(first.stopped());
            assertEquals(3, first.steps());
            assertEquals(full.losses().subList(0, 3), first.losses());
        }
        assertTrue(Files.exists(Checkpoints.dir(dir.resolve("b")).resolve("checkpoint-3").resolve(Checkpoints.STATE)));
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 1)) { // a fresh process, as after preemption
            TrainResult resumed = new DpoTrainer(vlm, dpoConfig(), dir.resolve("img")).train(pairs,
                    dir.resolve("b"), null, null);
            assertFalse(resumed.stopped());
            assertEquals(6, resumed.steps());
            // Bit for bit: the checkpoint holds the exact fp32 weights and moments, and the RNG derives from the step.
            assertEquals(3, resumed.resumedFromStep());
            // The whole history: steps 1-3 from the checkpoint, 4-6 from this attempt.
            assertEquals(full.losses(), resumed.losses(), "losses of steps 1-6");
        }
    }

    @Test
    void periodicCheckpointsAreCompleteAndIncompleteOnesAreIgnored() throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 1)) {
            TrainConfig cfg = dpoConfig().toBuilder()
                    .checkpointEvery(2)
                    .keepCheckpoints(1)
                    .build();
            new DpoTrainer(vlm, cfg, dir.resolve("img")).train(ToyData.preferencePairs(images), dir.resolve("out"),
                    null, null);
        }
        Path root = Checkpoints.dir(dir.resolve("out"));
        assertFalse(Files.exists(root.resolve("checkpoint-2")), "older checkpoints pruned to keepCheckpoints");
        Path ckpt = root.resolve("checkpoint-4");
        for (String f : List.of("trainer_state.json", "trainable.safetensors", "optimizer.safetensors",
                "adapter_config.json", "adapter_model.safetensors")) {
            assertTrue(Files.exists(ckpt.resolve(f)), f);
        }
        TrainingState state = new ObjectMapper().readValue(ckpt.resolve("trainer_state.json").toFile(),
                TrainingState.class);
        assertEquals(4, state.step());
        assertEquals(2, state.epoch());
        assertEquals(0, state.microBatch());
        // A half-written temp dir and a checkpoint without its state file must never be picked up.
        Files.createDirectories(root.resolve(".checkpoint-9.tmp"));
        Files.createDirectories(root.resolve("checkpoint-8"));
        assertEquals(ckpt, Checkpoints.latest(dir.resolve("out")).orElseThrow());
    }

    @Test
    void gradientAccumulationOfTwoHalfBatchesEqualsOneFullBatch() throws Exception {
        // Equal-length examples, so per-micro-batch token means average to the full-batch token mean.
        List<SftExampleRecord> data = ToyData.randomText(images.subList(0, 4), 10, 12, 3);
        double[][] figures = new double[2][];
        for (int run = 0; run < 2; run++) {
            try (VisionLanguageModel vlm = ModelLoader.create("tiny", 4)) {
                TrainConfig cfg = TrainConfig.builder()
                        .lora(null)
                        .batchSize(run == 0 ? 4 : 2)
                        .gradientAccumulation(run == 0 ? 1 : 2)
                        .maxSteps(1)
                        .build();
                TrainResult r = new SftTrainer(vlm, cfg, dir.resolve("img")).train(data, dir.resolve("g" + run),
                        null, null);
                figures[run] = new double[] {r.lastMetrics().get("loss"), r.lastMetrics().get("grad_norm")};
            }
        }
        assertEquals(figures[0][0], figures[1][0], 1e-5);
        assertEquals(figures[0][1], figures[1][1], 1e-4 * figures[0][1]);
    }

    @Test
    void sftLossFallsAndFullFineTuningWritesAnHfModel() throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 4)) {
            TrainConfig cfg = TrainConfig.builder()
                    .method(TrainConfig.Method.SFT)
                    .lora(null)
                    .batchSize(4)
                    .gradientAccumulation(1)
                    .epochs(5)
                    .learningRate(3e-3)
                    .weightDecay(0.01)
                    .build();
            TrainResult r = new SftTrainer(vlm, cfg, dir.resolve("img")).train(ToyData.sftExamples(images),
                    dir.resolve("out"), null, null);
            assertTrue(r.losses().get(r.losses().size() - 1) < r.losses().get(0) - 0.5, r.losses().toString());
            assertTrue(Files.exists(r.output().resolve("model.safetensors")));
            try (VisionLanguageModel back = ModelLoader.load(r.output())) {
                assertEquals(vlm.model().parameterCount(), back.model().parameterCount());
            }
        }
    }

    @Test
    void noNdArraysLeakAcrossSteps() throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 4)) {
            TrainConfig cfg = dpoConfig().toBuilder()
                    .epochs(5)
                    .build();
            List<Integer> counts = new ArrayList<>();
            new DpoTrainer(vlm, cfg, dir.resolve("img")).train(ToyData.preferencePairs(images), dir.resolve("out"),
                    (s, t, m) -> counts.add(((BaseNDManager) vlm.manager()).getManagedArrays().size()), null);
            assertEquals(10, counts.size());
            assertEquals(1, counts.stream().distinct().count(), "live arrays per step: " + counts);
        }
    }

    @Test
    void noNdArraysLeakAcrossShardedSteps() throws Exception {
        // Two copies: the optimiser step's per-array work runs on both pool threads, each part on its own scratch
        // manager under the model's; none of their arrays may outlive the step.
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 4)) {
            TrainConfig cfg = TrainConfig.builder().method(TrainConfig.Method.SFT).lora(null).batchSize(4)
                    .gradientAccumulation(1).epochs(5).learningRate(1e-3).batchShards(2).build();
            List<Integer> counts = new ArrayList<>();
            new SftTrainer(vlm, cfg, dir.resolve("img")).train(ToyData.sftExamples(images), dir.resolve("out"),
                    (s, t, m) -> counts.add(((BaseNDManager) vlm.manager()).getManagedArrays().size()), null);
            assertEquals(10, counts.size());
            assertEquals(1, counts.stream().distinct().count(), "live arrays per step: " + counts);
        }
    }

    @Test
    void sftTermAddsWeightedChosenNllToTheDpoLoss() throws Exception {
        List<DpoPairRecord> pairs = ToyData.preferencePairs(images);
        double[] loss = new double[2];
        for (int run = 0; run < 2; run++) {
            try (VisionLanguageModel vlm = ModelLoader.create("tiny", 6)) {
                TrainConfig cfg = dpoConfig();
                cfg = cfg.toBuilder().lora(cfg.lora().toBuilder().dropout(0).build())
                        .batchSize(8)
                        .gradientAccumulation(1)
                        .maxSteps(1)
                        .build();
                cfg = cfg.toBuilder().dpo(cfg.dpo().toBuilder().sftWeight(run == 0 ? 0 : 0.5).build()).build();
                loss[run] = new DpoTrainer(vlm, cfg, dir.resolve("img")).train(pairs, dir.resolve("s" + run), null,
                        null).lastMetrics().get("loss");
            }
        }
        // At step 1 the policy is the base model (LoRA B = 0): NLL = −Σ log p(chosen) / Σ chosen tokens.
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 6)) {
            List<dev.mmalign.trainer.engine.data.EncodedExample> chosen = new ArrayList<>();
            for (DpoPairRecord p : pairs) {
                chosen.add(vlm.encode(dir.resolve("img").resolve(p.images().get(0)), p.prompt(), p.chosen(), 300));
            }
            double[] sums = LogProbs.compute(vlm, chosen, false, 8);
            double tokens = chosen.stream().mapToInt(e -> e.responseTokens()).sum();
            double nll = -java.util.Arrays.stream(sums).sum() / tokens;
            assertEquals(0.5 * nll, loss[1] - loss[0], 1e-4);
        }
    }
}
