package dev.mmalign.trainer.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.mmalign.trainer.data.SftExampleRecord;
import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.bench.ToyData;
import dev.mmalign.trainer.engine.lora.LoraConfig;
import dev.mmalign.trainer.engine.model.LlavaModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
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

    /*
     * Each shard runs its backward pass right after its own forward pass, while the other shard may still be in its
     * forward pass. The loop did all forward passes first, then all backward passes, until the micro-batch's token
     * count came from the tokenisation instead of the forward passes; the reference here restores that schedule with
     * a barrier after every shard's forward pass. Same bits with LoRA dropout (libtorch's shared generator) and
     * activation checkpointing (a replay in the backward pass).
     */
    @Test
    void backwardRightAfterEachShardsForwardGivesTheBitsOfAllForwardPassesFirst() throws Exception {
        TrainConfig cfg = TrainConfig.builder().method(TrainConfig.Method.SFT)
                .lora(LoraConfig.builder().rank(4).alpha(8).dropout(0.1).build())
                .batchSize(4).gradientAccumulation(2).epochs(2).learningRate(1e-3).maxLength(64)
                .activationCheckpointing(true).batchShards(2).build();
        Trained together = train(cfg, dir.resolve("together"), vlm -> new SftTrainer(vlm, cfg, dir.resolve("img")));
        // 11 examples in micro-batches of 4, 4 and 3: every micro-batch has two shards, so the barrier's two parties.
        Trained forwardsFirst = train(cfg, dir.resolve("forwards-first"),
                vlm -> new ForwardsFirst(vlm, cfg, dir.resolve("img"), 0));
        assertEquals(4, together.losses().size());
        assertEquals(forwardsFirst.losses(), together.losses(), "every step's loss, bit for bit");
        for (Map.Entry<String, float[]> e : forwardsFirst.weights().entrySet()) {
            assertArrayEquals(e.getValue(), together.weights().get(e.getKey()), e.getKey());
        }
        assertTrue(WeightSnapshots.maxAbsDifference(together.weights(), together.initial()) > 1e-5,
                "training must change the weights");
    }

    @Test
    void aTokenCountThatDisagreesWithTheForwardPassIsRefused() {
        TrainConfig cfg = TrainConfig.builder().method(TrainConfig.Method.SFT).lora(null).batchSize(4).epochs(1)
                .learningRate(1e-4).maxLength(64).activationCheckpointing(false).batchShards(2).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> train(cfg, dir.resolve("off"),
                vlm -> new ForwardsFirst(vlm, cfg, dir.resolve("img"), 1)));
        assertTrue(e.getMessage().contains("lossCount"), e.getMessage());
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

    /**
     * SFT whose shards wait for each other after their forward passes (a barrier of two), so that no backward pass
     * starts before every forward pass of the micro-batch has ended; {@code countError} is added to the token count.
     */
    private static final class ForwardsFirst extends TrainingLoop<SftExampleRecord> {
        private final SftTrainer sft;
        private final CyclicBarrier forwardsDone = new CyclicBarrier(2);
        private final long countError;

        ForwardsFirst(VisionLanguageModel vlm, TrainConfig cfg, Path imageRoot, long countError) {
            super(vlm, cfg, imageRoot);
            this.sft = new SftTrainer(vlm, cfg, imageRoot);
            this.countError = countError;
        }

        @Override
        protected MicroResult microStep(LlavaModel model, NDManager m, List<SftExampleRecord> examples)
                throws IOException {
            MicroResult r = sft.microStep(model, m, examples);
            if (countError == 0) {
                try {
                    forwardsDone.await(5, TimeUnit.MINUTES);
                } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                    throw new IllegalStateException("the other shard's forward pass did not end", e);
                }
            }
            return r;
        }

        @Override
        protected long lossCount(List<SftExampleRecord> examples) throws IOException {
            return sft.lossCount(examples) + countError;
        }
    }

    private Trained train(TrainConfig cfg, Path out) throws Exception {
        return train(cfg, out, vlm -> new SftTrainer(vlm, cfg, dir.resolve("img")));
    }

    private Trained train(TrainConfig cfg, Path out, Function<VisionLanguageModel, TrainingLoop<SftExampleRecord>> loop)
            throws Exception {
        Path root = dir.resolve("img");
        List<String> images = ToyData.writeImages(root, 8, 16);
        List<SftExampleRecord> data = new ArrayList<>(ToyData.sftExamples(images));
        data.add(new SftExampleRecord("text-0", List.of(), "What is two plus three?", "Five."));
        data.add(new SftExampleRecord("text-1", List.of(), "Spell cat backwards.", "The word reversed is tac."));
        data.add(new SftExampleRecord("text-2", List.of(), "Name a colour.", "Blue."));
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 5)) {
            Map<String, float[]> initial = WeightSnapshots.of(vlm.model());
            TrainResult r = loop.apply(vlm).train(data, out, null, null);
            Map<String, float[]> weights = WeightSnapshots.of(vlm.model());
            for (String k : weights.keySet()) {
                initial.putIfAbsent(k, new float[weights.get(k).length]); // LoRA pairs start after the snapshot
            }
            return new Trained(r.losses(), weights, initial);
        }
    }
}
