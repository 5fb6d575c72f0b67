package dev.mmalign.trainer.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmalign.trainer.data.DpoPairRecord;
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
 * Data parallelism must not change what is learnt: two replicas (CPU "devices", one thread each) that split a step's
 * micro-batches give the losses and weights of one replica accumulating the same global batch, bit for bit. The two
 * replicas' step also runs its per-array work (gradient sum and norm, AdamW, broadcast) split over their two threads
 * ({@link OptimizerStep}), where one replica runs it on the calling thread, so a split that changed a bit fails here.
 */
class DataParallelTest {
    @TempDir Path dir;

    @Test
    void twoReplicasEqualOneForSftWithLoraAndDropout() throws Exception {
        TrainConfig one = TrainConfig.builder().method(TrainConfig.Method.SFT)
                .lora(LoraConfig.builder().rank(4).alpha(8).dropout(0.1).build())
                .batchSize(2).gradientAccumulation(2).epochs(2).learningRate(1e-3).maxLength(64).build();
        compare(one, false);
    }

    @Test
    void twoReplicasEqualOneForDpoFullFineTuning() throws Exception {
        // Clipped at a norm the gradients exceed, so the norm's every bit reaches the weights.
        TrainConfig one = TrainConfig.builder().lora(null).maxGradNorm(0.1)
                .batchSize(2).gradientAccumulation(2).epochs(2).learningRate(1e-4).maxLength(64).build();
        compare(one, true);
    }

    private void compare(TrainConfig one, boolean dpo) throws Exception {
        TrainConfig two = one.toBuilder().gradientAccumulation(one.gradientAccumulation() / 2).replicas(2).build();
        Path root = dir.resolve("img");
        List<String> images = ToyData.writeImages(root, 8, 16);
        Trained a = train(one, dpo, root, images, dir.resolve("one"));
        Trained b = train(two, dpo, root, images, dir.resolve("two"));
        assertEquals(4, a.losses().size(), "8 examples / (2 per micro-batch · 2 micro-batches) · 2 epochs");
        assertEquals(a.losses().size(), b.losses().size());
        assertEquals(a.losses(), b.losses(), "every step's loss, bit for bit");
        assertEquals(a.gradNorms(), b.gradNorms(), "every step's gradient norm, bit for bit");
        if (dpo) {
            assertTrue(a.gradNorms().stream().allMatch(n -> n > one.maxGradNorm()), "clipped: " + a.gradNorms());
        }
        double moved = WeightSnapshots.maxAbsDifference(a.weights(), a.initial());
        assertTrue(moved > 1e-4, "training must change the weights (largest change " + moved + ")");
        assertEquals(a.weights().keySet(), b.weights().keySet());
        for (Map.Entry<String, float[]> e : a.weights().entrySet()) {
            assertArrayEquals(e.getValue(), b.weights().get(e.getKey()), e.getKey() + ", 1 against 2 replicas");
        }
    }

    private record Trained(List<Double> losses, List<Double> gradNorms, Map<String, float[]> weights,
            Map<String, float[]> initial) {}

    private static Trained train(TrainConfig cfg, boolean dpo, Path root, List<String> images, Path out)
            throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 5)) {
            Map<String, float[]> initial = WeightSnapshots.of(vlm.model());
            TrainResult r;
            List<Double> gradNorms = new ArrayList<>();
            MetricsListener norms = (step, total, metrics) -> gradNorms.add(metrics.get("grad_norm"));
            if (dpo) {
                DpoTrainer t = new DpoTrainer(vlm, cfg, root);
                r = t.train(ToyData.preferencePairs(images), out, norms, null);
            } else {
                r = new SftTrainer(vlm, cfg, root).train(ToyData.sftExamples(images), out, norms, null);
            }
            Map<String, float[]> weights = WeightSnapshots.of(vlm.model());
            for (String k : weights.keySet()) {
                initial.putIfAbsent(k, new float[weights.get(k).length]); // LoRA pairs start after the snapshot
            }
            return new Trained(r.losses(), gradNorms, weights, initial);
        }
    }
}
