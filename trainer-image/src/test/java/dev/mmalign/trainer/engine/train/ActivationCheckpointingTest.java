package dev.mmalign.trainer.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.mmalign.trainer.data.DpoPairRecord;
import dev.mmalign.trainer.data.SftExampleRecord;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.bench.ToyData;
import dev.mmalign.trainer.engine.lora.Lora;
import dev.mmalign.trainer.engine.lora.LoraConfig;
import dev.mmalign.trainer.engine.model.ActivationCheckpoints;
import dev.mmalign.trainer.engine.model.LlavaConfig;
import dev.mmalign.trainer.engine.model.LlavaModel;
import dev.mmalign.trainer.engine.tokenizer.ByteTokenizer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Activation checkpointing must not change what is learnt: the gradients of every trained array equal those of the
 * ordinary backward pass (fp32, to 1e-6) for SFT and DPO, LoRA and full fine-tuning — which also covers the backward
 * pass out of a chain into the graph before it (a trained projector, the vision chain under full fine-tuning) and LoRA
 * dropout masks replayed identically in the recomputation.
 */
class ActivationCheckpointingTest {
    private static final double TOLERANCE = 1e-6;

    @TempDir Path dir;
    Path root;
    List<String> images;

    @BeforeEach
    void data() throws Exception {
        root = dir.resolve("img");
        images = ToyData.writeImages(root, 4, 16);
    }

    /** The tiny preset, deeper: 3 vision blocks run (4 layers, feature layer -2) and 3 decoder blocks. */
    static VisionLanguageModel deepTiny(long seed) {
        LlavaConfig tiny = LlavaConfig.tiny();
        LlavaConfig c = new LlavaConfig(new LlavaConfig.VisionConfig(32, 64, 4, 2, 16, 8, 1e-5, "quick_gelu"),
                new LlavaConfig.TextConfig(260, 32, 64, 3, 4, 2, 1e-5, 10000.0, 512, false),
                tiny.imageTokenIndex(), tiny.projectorHiddenAct(), tiny.visionFeatureLayer(), 0, 1, 2);
        NDManager m = NDManager.newBaseManager();
        return new VisionLanguageModel(LlavaModel.initialize(c, m, seed), new ByteTokenizer(), m);
    }

    private static LoraConfig lora(boolean trainProjector) {
        return LoraConfig.builder().rank(4).alpha(8).dropout(0.1).trainProjector(trainProjector).build();
    }

    @Test
    void sftLoraGradientsEqualWithAndWithoutCheckpointing() {
        compareSft(lora(false), 1);
    }

    @Test
    void sftLoraWithTrainedProjectorBackpropagatesOutOfTheDecoderChain() {
        compareSft(lora(true), 1);
    }

    @Test
    void sftFullFineTuningCheckpointsVisionAndDecoderChains() {
        compareSft(null, 2);
    }

    @Test
    void dpoLoraGradientsEqualWithAndWithoutCheckpointing() throws Exception {
        compareDpo(lora(false), true, 1);
    }

    @Test
    void dpoLoraWithOnTheFlyReferenceRecordsOnlyThePolicyPass() throws Exception {
        // The reference pass runs without autograd: it must leave no chain to replay.
        compareDpo(lora(false), false, 1);
    }

    @Test
    void dpoFullFineTuningGradientsEqualWithAndWithoutCheckpointing() throws Exception {
        compareDpo(null, true, 2);
    }

    // Blocks run and recomputed a slice of the batch at a time (RecomputeSlicing): the 4 pairs are 8 sequences, the
    // default slice of 4 makes 2 slices, slices of 1 make 8; dropout masks are then drawn per sequence.

    @Test
    void dpoLoraGradientsEqualWhenBlocksRunInDefaultSlices() throws Exception {
        compareDpo(lora(true), true, 1, DEFAULT_SLICE, DEFAULT_SLICE);
    }

    @Test
    void dpoLoraGradientsEqualWhenBlocksRunOneSequenceAtATime() throws Exception {
        compareDpo(lora(true), true, 1, 1, 1);
    }

    @Test
    void dpoLoraWithOnTheFlyReferenceInSlicesOfTwo() throws Exception {
        compareDpo(lora(false), false, 1, 2, 2);
    }

    @Test
    void sftFullFineTuningSlicesVisionAndDecoderChains() {
        compareSft(null, 2, 1, 1);
    }

    @Test
    void aSliceThatSplitsADropoutGroupIsRefused() {
        try (VisionLanguageModel vlm = deepTiny(5)) {
            vlm.model().setDropoutRowsPerDraw(2);
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> vlm.model().setCheckpoints(new ActivationCheckpoints(3)));
            assertTrue(e.getMessage().contains("dropout groups of 2"), e.getMessage());
        }
    }

    private static final int DEFAULT_SLICE = dev.mmalign.api.plan.RecomputeSlicing.DEFAULT_SEQUENCES;

    private void compareSft(LoraConfig loraCfg, int chains) {
        compareSft(loraCfg, chains, DEFAULT_SLICE, DEFAULT_SLICE);
    }

    private void compareSft(LoraConfig loraCfg, int chains, int sliceRows, int dropoutRows) {
        try (VisionLanguageModel vlm = deepTiny(3)) {
            TrainConfig cfg = TrainConfig.builder().method(TrainConfig.Method.SFT).lora(loraCfg).maxLength(64).build();
            SftTrainer trainer = new SftTrainer(vlm, cfg, root);
            List<SftExampleRecord> batch = ToyData.sftExamples(images);
            vlm.model().setDropoutRowsPerDraw(dropoutRows);
            compare(vlm, loraCfg, trainer, batch, chains, sliceRows);
        }
    }

    private void compareDpo(LoraConfig loraCfg, boolean precompute, int chains) throws Exception {
        compareDpo(loraCfg, precompute, chains, DEFAULT_SLICE, DEFAULT_SLICE);
    }

    private void compareDpo(LoraConfig loraCfg, boolean precompute, int chains, int sliceRows, int dropoutRows)
            throws Exception {
        try (VisionLanguageModel vlm = deepTiny(4)) {
            TrainConfig cfg = TrainConfig.builder().lora(loraCfg).maxLength(64)
                    .dpo(DpoConfig.builder().precomputeReference(precompute).sftWeight(0.5).build()).build();
            DpoTrainer trainer = new DpoTrainer(vlm, cfg, root);
            List<DpoPairRecord> batch = trainer.prepare(ToyData.preferencePairs(images));
            vlm.model().setDropoutRowsPerDraw(dropoutRows);
            compare(vlm, loraCfg, trainer, batch, chains, sliceRows);
        }
    }

    private static <E> void compare(VisionLanguageModel vlm, LoraConfig loraCfg, TrainingLoop<E> trainer,
            List<E> batch, int chains, int sliceRows) {
        Map<String, NDArray> trainable = loraCfg != null ? Lora.attach(vlm.model(), loraCfg, 11)
                : new LinkedHashMap<>(vlm.model().weights());
        try {
            Map<String, float[]> plain = gradients(vlm, trainable, trainer, batch, -1, sliceRows);
            Map<String, float[]> checkpointed = gradients(vlm, trainable, trainer, batch, chains, sliceRows);
            double worst = 0;
            double largest = 0;
            String where = "";
            for (Map.Entry<String, float[]> e : plain.entrySet()) {
                float[] a = e.getValue();
                float[] b = checkpointed.get(e.getKey());
                for (int i = 0; i < a.length; i++) {
                    if (Math.abs(a[i] - b[i]) > worst) {
                        worst = Math.abs(a[i] - b[i]);
                        where = " (worst: " + e.getKey() + " " + a[i] + " vs " + b[i] + ")";
                    }
                    largest = Math.max(largest, Math.abs(a[i]));
                }
            }
            assertTrue(largest > 1e-3, "the loss must reach the trained arrays (largest gradient " + largest + ")");
            assertTrue(worst <= TOLERANCE, "max |gradient difference| " + worst + " over " + plain.size() + " arrays" + where);
        } finally {
            trainable.values().forEach(a -> a.setRequiresGradient(false));
            vlm.model().detachLora();
        }
    }

    /** Gradients of one micro-batch as the loop computes them; {@code chains} &lt; 0 means no checkpointing. */
    private static <E> Map<String, float[]> gradients(VisionLanguageModel vlm, Map<String, NDArray> trainable,
            TrainingLoop<E> trainer, List<E> batch, int chains, int sliceRows) {
        LlavaModel model = vlm.model();
        for (NDArray a : trainable.values()) {
            a.setRequiresGradient(true);
            JniUtils.zeroGrad((PtNDArray) a);
        }
        model.setTraining(true);
        model.setDropoutSeed(1234);
        JniUtils.setGradMode(true);
        try (NDManager m = vlm.manager().newSubManager()) {
            ActivationCheckpoints checkpoints = chains < 0 ? null : new ActivationCheckpoints(sliceRows);
            model.setCheckpoints(checkpoints);
            TrainingLoop.MicroResult r = trainer.microStep(model, m, batch);
            ActivationCheckpoints.backward(r.loss());
            if (checkpoints != null) {
                assertEquals(chains, checkpoints.pending(), "chains recorded");
                checkpoints.backward();
                assertEquals(0, checkpoints.pending());
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : trainable.entrySet()) {
                NDArray g = e.getValue().getGradient();
                g.attach(m);
                out.put(e.getKey(), g.toFloatArray());
            }
            return out;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            JniUtils.setGradMode(false);
            model.setCheckpoints(null);
            model.setTraining(false);
        }
    }
}
