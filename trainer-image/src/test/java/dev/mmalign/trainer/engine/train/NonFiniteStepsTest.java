package dev.mmalign.trainer.engine.train;

import dev.mmalign.trainer.data.SftExampleRecord;
import dev.mmalign.trainer.engine.ndarray.OwnedArrays;
import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.bench.ToyData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards the loop against non-finite steps: a NaN or infinite loss or gradient is skipped without touching the weights,
 * its gradients are cleared so the next step trains normally (NaN · 0 is NaN, so zeroing by multiplication would poison
 * every later step), skips are counted in the metrics, and too many in a row fail the run naming the step.
 */
class NonFiniteStepsTest {
    @TempDir Path dir;

    /** The same loss value forward, NaN gradients for every weight: d sqrt(z)/dz at 0 is ∞, and ∞ − ∞ is NaN. */
    static NDArray nanGradients(NDArray loss) {
        return loss.add(loss.sub(loss).sqrt());
    }

    /** A NaN loss whose gradients stay finite (adding a constant does not change them). */
    static NDArray nanLoss(NDArray loss) {
        return loss.add(OwnedArrays.scalar(loss, Float.NaN));
    }

    /** Full fine-tuning SFT, 8 examples in batches of 2 (one micro-batch per step), 2 epochs = 8 steps. */
    private TrainResult train(VisionLanguageModel vlm, WrappedLoop.BeforeBackward hook, List<Map<String, Double>> metrics,
            List<int[]> weights) throws Exception {
        List<String> images = ToyData.writeImages(dir.resolve("img"), 8, 16);
        TrainConfig cfg = TrainConfig.builder()
                .lora(null)
                .batchSize(2)
                .gradientAccumulation(1)
                .epochs(2)
                .learningRate(3e-3)
                .build();
        TrainingLoop<SftExampleRecord> loop = new WrappedLoop<>(new SftTrainer(vlm, cfg, dir.resolve("img")), vlm, cfg,
                dir.resolve("img"), hook);
        return loop.train(ToyData.sftExamples(images), dir.resolve("out"), (s, t, m) -> {
            metrics.add(m);
            weights.add(bits(vlm));
        }, null);
    }

    private static int[] bits(VisionLanguageModel vlm) {
        List<Integer> out = new ArrayList<>();
        for (NDArray a : vlm.model().weights().values()) {
            for (float f : a.toFloatArray()) {
                out.add(Float.floatToRawIntBits(f));
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static boolean allFinite(int[] bits) {
        return Arrays.stream(bits).allMatch(b -> Float.isFinite(Float.intBitsToFloat(b)));
    }

    @Test
    void aStepWithNanGradientsIsSkippedAndTheNextStepsTrainNormally() throws Exception {
        List<Map<String, Double>> metrics = new ArrayList<>();
        List<int[]> weights = new ArrayList<>();
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 3)) {
            TrainResult r = train(vlm, (call, loss) -> call == 3 ? nanGradients(loss) : loss, metrics, weights);
            assertEquals(8, r.steps());
            assertTrue(Double.isFinite(metrics.get(2).get("loss")), "the injection keeps the loss finite");
            assertTrue(Double.isNaN(metrics.get(2).get("grad_norm")));
            assertEquals(0.0, metrics.get(1).get("skipped_steps"));
            assertEquals(1.0, metrics.get(2).get("skipped_steps"));
            assertEquals(1.0, r.lastMetrics().get("skipped_steps"));
            assertArrayEquals(weights.get(1), weights.get(2), "a skipped step leaves the weights as they were");
            for (int s = 3; s < 8; s++) {
                assertTrue(Double.isFinite(metrics.get(s).get("grad_norm")), "gradients cleared, step " + (s + 1));
                assertFalse(Arrays.equals(weights.get(s - 1), weights.get(s)), "step " + (s + 1) + " trains");
            }
            assertTrue(allFinite(weights.get(7)));
        }
    }

    @Test
    void nonFiniteStepsInARowFailTheRunNamingTheStepWithoutTouchingTheWeights() throws Exception {
        List<Map<String, Double>> metrics = new ArrayList<>();
        List<int[]> weights = new ArrayList<>();
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 3)) {
            // From step 2 on the loss is NaN (with finite gradients): steps 2, 3 and 4 are skipped, then it gives up.
            NonFiniteTrainingException e = assertThrows(NonFiniteTrainingException.class,
                    () -> train(vlm, (call, loss) -> call >= 2 ? nanLoss(loss) : loss, metrics, weights));
            assertEquals(4, e.step());
            assertTrue(e.getMessage().contains("at step 4 of 8"), e.getMessage());
            assertTrue(e.getMessage().contains("3 steps in a row"), e.getMessage());
            assertEquals(4, metrics.size(), "each skipped step is still reported");
            assertEquals(3.0, metrics.get(3).get("skipped_steps"));
            for (int s = 1; s < 4; s++) {
                assertArrayEquals(weights.get(0), weights.get(s), "weights after step " + (s + 1));
            }
            assertTrue(allFinite(bits(vlm)));
        }
    }
}
