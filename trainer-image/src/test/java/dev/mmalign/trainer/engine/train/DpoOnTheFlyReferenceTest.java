package dev.mmalign.trainer.engine.train;

import dev.mmalign.trainer.data.DpoPairRecord;
import dev.mmalign.trainer.engine.lora.LoraConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.bench.ToyData;
import dev.mmalign.trainer.engine.data.EncodedExample;
import dev.mmalign.trainer.engine.lora.Lora;
import dev.mmalign.trainer.engine.model.LlavaModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards dpo.precomputeReference = false (TRL's precompute_ref_log_probs=False): the reference is the same model with
 * LoRA disabled, computed each step, and it must be exactly the reference that precomputing gives.
 */
class DpoOnTheFlyReferenceTest {
    @TempDir Path dir;
    List<String> images;
    Path root;

    @BeforeEach
    void data() throws Exception {
        root = dir.resolve("img");
        images = ToyData.writeImages(root, 8, 16);
    }

    private static TrainConfig config(boolean precompute) {
        TrainConfig cfg = TrainConfig.builder()
                .lora(LoraConfig.builder().rank(8).alpha(16).dropout(0.1).build()) // training-mode dropout must not reach the reference pass
                .batchSize(2)
                .gradientAccumulation(1)
                .epochs(2) // 8 pairs / 2 = 4 steps per epoch → 8 steps
                .learningRate(2e-3)
                .dpo(DpoConfig.builder().precomputeReference(precompute).build())
                .build();
        return cfg;
    }

    /**
     * Step 0: with adapters that already change the policy (B non-zero), the on-the-fly reference (LoRA off) equals
     * the reference precomputed on the untouched base, and differs from the policy's own log-probs.
     */
    @Test
    void adaptersOffGiveThePrecomputedReference() throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 5)) {
            TrainConfig cfg = config(false);
            List<DpoPairRecord> pairs = ToyData.preferencePairs(images);
            List<DpoPairRecord> precomputed = DpoTrainer.precomputeReference(vlm, pairs, cfg, root);
            Lora.attach(vlm.model(), cfg.lora(), 1);
            for (LlavaModel.LoraWeights w : vlm.model().lora().values()) {
                w.b().addi(0.05f);
            }
            double[][] ref = DpoTrainer.onTheFlyReference(vlm, pairs, cfg, root);
            List<EncodedExample> chosen = new ArrayList<>();
            for (DpoPairRecord p : pairs) {
                chosen.add(vlm.encode(root.resolve(p.images().get(0)), p.prompt(), p.chosen(), cfg.maxLength()));
            }
            double[] policy = LogProbs.compute(vlm, chosen, false, 8);
            for (int i = 0; i < pairs.size(); i++) {
                assertEquals(precomputed.get(i).refChosenLogp(), ref[0][i], 1e-4, "chosen " + i);
                assertEquals(precomputed.get(i).refRejectedLogp(), ref[1][i], 1e-4, "rejected " + i);
                assertTrue(Math.abs(policy[i] - ref[0][i]) > 1e-2, "the adapters do change the policy " + i);
            }
        }
    }

    /**
     * While training: a run with on-the-fly reference follows the run with precomputed reference step for step (same
     * loss, rewards and grad norm), which can only hold if its reference is the precomputed one at every step; after
     * training, adapters off still give that reference while the policy has moved.
     */
    @Test
    void onTheFlyTrainingMatchesPrecomputedTrainingAndTheReferenceStaysFixed() throws Exception {
        List<Map<String, Double>> withStored = new ArrayList<>();
        List<DpoPairRecord> precomputed;
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 5)) {
            TrainConfig cfg = config(true);
            precomputed = DpoTrainer.precomputeReference(vlm, ToyData.preferencePairs(images), cfg, root);
            new DpoTrainer(vlm, cfg, root).train(precomputed, dir.resolve("a"), (s, t, m) -> withStored.add(m), null);
        }
        List<Map<String, Double>> onTheFly = new ArrayList<>();
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 5)) {
            TrainConfig cfg = config(false);
            // Stored values that are wrong on purpose: on-the-fly mode must not read them.
            List<DpoPairRecord> poisoned = new ArrayList<>();
            for (DpoPairRecord p : precomputed) poisoned.add(p.withReferenceLogps(-1e6, 1e6));
            new DpoTrainer(vlm, cfg, root).train(poisoned, dir.resolve("b"), (s, t, m) -> onTheFly.add(m), null);

            assertEquals(8, onTheFly.size());
            for (int step = 0; step < onTheFly.size(); step++) {
                for (String k : List.of("loss", "rewards/chosen", "rewards/rejected", "rewards/margins", "grad_norm")) {
                    assertEquals(withStored.get(step).get(k), onTheFly.get(step).get(k), 1e-4, k + " at step " + step);
                }
            }
            assertTrue(onTheFly.get(7).get("rewards/margins") > 0.01, "training moved the policy away from the reference");
            double[][] ref = DpoTrainer.onTheFlyReference(vlm, precomputed, cfg, root);
            for (int i = 0; i < precomputed.size(); i++) {
                assertEquals(precomputed.get(i).refChosenLogp(), ref[0][i], 1e-4, "chosen " + i + " after training");
                assertEquals(precomputed.get(i).refRejectedLogp(), ref[1][i], 1e-4, "rejected " + i + " after training");
            }
        }
    }

    /** Guards the combinations with no reference to switch back to: full fine-tuning and a trained projector. */
    @Test
    void fullFineTuningOrATrainedProjectorIsRejected() throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 5)) {
            TrainConfig full = config(false).toBuilder()
                    .lora(null)
                    .build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DpoTrainer(vlm, full,
                    root).train(ToyData.preferencePairs(images), dir.resolve("c"), null, null));
            assertTrue(e.getMessage().contains("need LoRA"), e.getMessage());
            TrainConfig base = config(false);
            TrainConfig projector = base.toBuilder().lora(base.lora().toBuilder().trainProjector(true).build()).build();
            e = assertThrows(IllegalArgumentException.class, () -> new DpoTrainer(vlm, projector, root)
                    .train(ToyData.preferencePairs(images), dir.resolve("d"), null, null));
            assertTrue(e.getMessage().contains("frozen projector"), e.getMessage());
        }
    }
}
