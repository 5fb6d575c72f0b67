package dev.mmalign.trainer.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.bench.ToyData;
import dev.mmalign.trainer.engine.data.Batch;
import dev.mmalign.trainer.engine.data.EncodedExample;
import dev.mmalign.trainer.engine.lora.Lora;
import dev.mmalign.trainer.engine.lora.LoraConfig;
import dev.mmalign.trainer.engine.ndarray.OwnedArrays;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model makes each arithmetic constant (norm epsilons, attention scale, LoRA scale, mask constants) once and reuses
 * it. Guarded here: a LoRA training step (dropout on, padding mask, vision tower) and a KV-cached generation step give
 * bit for bit the logits and gradients of the same model building a fresh constant per use, also when the constants are
 * reused by a second step and a garbage collection runs between forward and backward.
 */
class SharedConstantsTest {
    @TempDir Path dir;

    @Test
    void sharedConstantsGiveTheBitsOfPerUseConstants() throws Exception {
        List<String> images = ToyData.writeImages(dir, 2, 16);
        List<float[]> perUse = run(images, false);
        List<float[]> shared = run(images, true);
        assertEquals(perUse.size(), shared.size());
        assertTrue(perUse.size() > 10, "logits, cached-step logits and several gradients: " + perUse.size());
        for (int i = 0; i < perUse.size(); i++) {
            assertBitsEqual(perUse.get(i), shared.get(i), "output " + i);
        }
    }

    /** Two training steps' logits and gradients, then a prefill and one cached step's logits. */
    private List<float[]> run(List<String> images, boolean share) throws Exception {
        List<float[]> out = new ArrayList<>();
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 9); NDManager m = vlm.manager().newSubManager()) {
            LlavaModel model = vlm.model();
            model.setShareConstants(share);
            LoraConfig cfg = LoraConfig.builder().rank(4).alpha(8).dropout(0.1).trainProjector(true).build();
            Map<String, NDArray> trainable = Lora.attach(model, cfg, 3);
            // B starts at zero; make it non-zero so that every LoRA path (and its scale constant) reaches the output.
            for (Map.Entry<String, NDArray> e : trainable.entrySet()) {
                if (e.getKey().endsWith("lora_B.weight")) {
                    long n = e.getValue().size();
                    float[] v = new float[(int) n];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) Math.sin(i + e.getKey().length());
                    }
                    OwnedArrays.copyInto(e.getValue(), v);
                }
            }
            List<EncodedExample> seqs = List.of(
                    vlm.encode(dir.resolve(images.get(0)), "Describe the image in detail.", "A red picture.", 64),
                    vlm.encode(dir.resolve(images.get(1)), "Colour?", "Blue.", 64));
            model.setTraining(true);
            for (int step = 0; step < 2; step++) {
                trainable.values().forEach(a -> a.setRequiresGradient(true)); // fresh, zero gradients per step
                model.setDropoutSeed(100 + step);
                try (NDManager s = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    Batch batch = Batch.build(s, model, seqs);
                    NDArray logits = model.decode(batch.embeddings(), batch.positions(), padMask(s, batch), null);
                    out.add(logits.toFloatArray());
                    NDArray loss = logits.mul(logits).mean();
                    for (int i = 0; i < 2; i++) {
                        System.gc(); // autograd must still read the shared constants it saved
                    }
                    gc.backward(loss);
                    for (NDArray a : trainable.values()) {
                        out.add(a.getGradient().toFloatArray());
                    }
                }
            }
            model.setTraining(false);
            trainable.values().forEach(a -> a.setRequiresGradient(false));
            try (NDManager s = m.newSubManager(); KvCache cache = new KvCache(model.config().text().numLayers(), 128, s)) {
                Batch batch = Batch.build(s, model, seqs);
                NDArray pad = padMask(s, batch);
                out.add(model.decode(batch.embeddings(), batch.positions(), pad, cache).toFloatArray());
                long b = batch.embeddings().getShape().get(0);
                long t = batch.embeddings().getShape().get(1);
                NDArray next = model.embedTokens(OwnedArrays.of(s, new long[] {5, 7}, new Shape(b, 1)));
                NDArray pos = OwnedArrays.of(s, new long[] {t, t}, new Shape(b, 1));
                float[] longer = new float[(int) (b * (t + 1))];
                java.util.Arrays.fill(longer, 1f);
                longer[0] = 0f; // a padded first key in row 0
                out.add(model.decode(next, pos, OwnedArrays.of(s, longer, new Shape(b, t + 1)), cache).toFloatArray());
            }
        }
        return out;
    }

    /** Row 0's first key is padding, so the mask constants take part. */
    private static NDArray padMask(NDManager s, Batch batch) {
        long b = batch.embeddings().getShape().get(0);
        long t = batch.embeddings().getShape().get(1);
        float[] pad = new float[(int) (b * t)];
        java.util.Arrays.fill(pad, 1f);
        pad[0] = 0f;
        return OwnedArrays.of(s, pad, new Shape(b, t));
    }

    private static void assertBitsEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(what + " differs at " + i + ": " + expected[i] + " vs " + actual[i]);
            }
        }
    }
}
