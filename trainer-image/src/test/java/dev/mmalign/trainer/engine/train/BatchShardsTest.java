package dev.mmalign.trainer.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmalign.trainer.data.SftExampleRecord;
import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.bench.ToyData;
import dev.mmalign.trainer.engine.lora.LoraConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A micro-batch split over threads ({@link TrainConfig#batchShards}, the quickstart's base trainings on 2 cores) must
 * learn what the whole micro-batch learns — each shard's mean loss weighed by its share of the response tokens — and
 * give the same bits every run, whichever thread finishes first. The examples mix images and text-only questions of
 * different lengths, so shards differ in token counts and padding, and the batch size leaves a one-example last batch.
 */
class BatchShardsTest {
    @TempDir Path dir;

    @Test
    void twoShardsLearnWhatTheWholeBatchLearnsInFullFineTuning() throws Exception {
        TrainConfig whole = TrainConfig.builder().method(TrainConfig.Method.SFT).lora(null).batchSize(5)
                .gradientAccumulation(1)
                .epochs(2).learningRate(1e-4).maxLength(64).activationCheckpointing(false).build();
        Trained a = train(whole, dir.resolve("one"));
        Trained b = train(whole.toBuilder().batchShards(2).build(), dir.resolve("two"));
        assertEquals(6, a.losses().size(), "11 examples in micro-batches of 5 (the last of 1), 2 epochs");
        assertEquals(a.losses().size(), b.losses().size());
        for (int i = 0; i < a.losses().size(); i++) {
            assertEquals(a.losses().get(i), b.losses().get(i), 1e-5, "loss of step " + (i + 1));
        }
        assertClose(a, b, 1e-5);
    }

    @Test
    void twoShardsWithLoraDropoutAndCheckpointingGiveTheSameBitsEveryRun() throws Exception {
        TrainConfig cfg = TrainConfig.builder().method(TrainConfig.Method.SFT)
                .lora(LoraConfig.builder().rank(4).alpha(8).dropout(0.1).build())
                .batchSize(4).gradientAccumulation(2).epochs(2).learningRate(1e-3).maxLength(64)
                .activationCheckpointing(true).batchShards(2).build();
        Trained a = train(cfg, dir.resolve("a"));
        Trained b = train(cfg, dir.resolve("b"));
        assertEquals(a.losses(), b.losses(), "every step's loss, bit for bit");
        for (Map.Entry<String, float[]> e : a.weights().entrySet()) {
            assertArrayEquals(e.getValue(), b.weights().get(e.getKey()), e.getKey());
        }
        // The shards' dropout masks are their own (seeded per shard): the run differs from the unsplit one, which
        // is why the shard count, like the intra-op thread count, is part of a result.
        Trained whole = train(cfg.toBuilder().batchShards(1).build(), dir.resolve("whole"));
        assertNotEquals(whole.losses(), a.losses());
    }

    @Test
    void shardsAreRefusedWhereOneShareCannotWeighThem() {
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.builder().method(TrainConfig.Method.DPO)
                .batchShards(2).build(), "a DPO loss with its SFT term averages over pairs and over tokens");
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.builder().method(TrainConfig.Method.SFT)
                .batchShards(2).replicas(2).build(), "shards split one device's micro-batch");
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.builder().method(TrainConfig.Method.SFT)
                .batchShards(0).build());
    }

    private static void assertClose(Trained a, Trained b, double tolerance) {
        double worst = WeightSnapshots.maxAbsDifference(a.weights(), b.weights());
        double moved = WeightSnapshots.maxAbsDifference(a.weights(), a.initial());
        assertTrue(moved > 1e-5, "training must change the weights (largest change " + moved + ")");
        assertTrue(worst <= tolerance, "max |weight difference| between 1 and 2 shards: " + worst);
    }

    private record Trained(List<Double> losses, Map<String, float[]> weights, Map<String, float[]> initial) {}

    private Trained train(TrainConfig cfg, Path out) throws Exception {
        Path root = dir.resolve("img");
        List<String> images = ToyData.writeImages(root, 8, 16);
        List<SftExampleRecord> data = new ArrayList<>(ToyData.sftExamples(images));
        data.add(new SftExampleRecord("text-0", List.of(), "What is two plus three?", "Five."));
        data.add(new SftExampleRecord("text-1", List.of(), "Spell cat backwards.", "The word reversed is tac."));
        data.add(new SftExampleRecord("text-2", List.of(), "Name a colour.", "Blue."));
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 5)) {
            Map<String, float[]> initial = WeightSnapshots.of(vlm.model());
            TrainResult r = new SftTrainer(vlm, cfg, root).train(data, out, null, null);
            Map<String, float[]> weights = WeightSnapshots.of(vlm.model());
            for (String k : weights.keySet()) {
                initial.putIfAbsent(k, new float[weights.get(k).length]); // LoRA pairs start after the snapshot
            }
            return new Trained(r.losses(), weights, initial);
        }
    }
}
