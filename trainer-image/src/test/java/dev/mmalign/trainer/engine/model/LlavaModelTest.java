package dev.mmalign.trainer.engine.model;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDManager;
import dev.mmalign.trainer.engine.Fixtures;
import dev.mmalign.trainer.engine.data.EncodedExample;
import dev.mmalign.trainer.engine.safetensors.Tensor;
import dev.mmalign.trainer.engine.tokenizer.ByteTokenizer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Guards the architecture: shapes, causality, image splicing, penultimate-layer features, GQA semantics. */
class LlavaModelTest {
    static NDManager manager;
    static LlavaModel model;
    static final LlavaConfig TINY = LlavaConfig.tiny();
    static final int V = TINY.text().vocabSize();
    static final int PATCHES = TINY.vision().numPatches();

    @BeforeAll
    static void setUp() {
        manager = NDManager.newBaseManager();
        model = LlavaModel.initialize(TINY, manager, 7);
    }

    @AfterAll
    static void tearDown() {
        model.close();
        manager.close();
    }

    private static EncodedExample example(int[] ids, float[] pixels) {
        int imagePos = -1;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == ByteTokenizer.IMAGE) {
                imagePos = i;
            }
        }
        return new EncodedExample(ids, ids.length - 2, imagePos, pixels);
    }

    @Test
    void tinyPresetHasExpectedParameterCountAndSmallIsTwentyToThirtyMillion() {
        long expected = WeightNames.expectedShapes(TINY).values().stream().mapToLong(Tensor::numel).sum();
        assertEquals(expected, model.parameterCount());
        long small = WeightNames.expectedShapes(LlavaConfig.small()).values().stream().mapToLong(Tensor::numel).sum();
        assertTrue(small >= 20_000_000 && small <= 30_000_000, "small has " + small);
    }

    @Test
    void imageTokenIsReplacedByPatchFeatures() {
        int[] ids = {1, 10, ByteTokenizer.IMAGE, 20, 30, 40};
        float[] logits = Fixtures.logits(model, manager, example(ids, Fixtures.randomPixels(16, 1)));
        assertEquals((ids.length - 1 + PATCHES) * V, logits.length);
    }

    @Test
    void laterTokensDoNotChangeEarlierLogits() {
        int[] a = {1, 10, 11, 12, 13, 14};
        int[] b = {1, 10, 11, 12, 99, 98};
        float[] la = Fixtures.logits(model, manager, example(a, null));
        float[] lb = Fixtures.logits(model, manager, example(b, null));
        assertTrue(Fixtures.maxAbsDiff(la, lb, 0, 4 * V) < 1e-5, "causal positions 0..3 must match");
        assertTrue(Fixtures.maxAbsDiff(la, lb, 4 * V, 6 * V) > 1e-4, "positions after the change must differ");
    }

    @Test
    void imageOnlyAffectsPositionsFromTheImageOn() {
        int[] ids = {1, 10, 11, ByteTokenizer.IMAGE, 20, 30};
        float[] la = Fixtures.logits(model, manager, example(ids, Fixtures.randomPixels(16, 1)));
        float[] lb = Fixtures.logits(model, manager, example(ids, Fixtures.randomPixels(16, 2)));
        assertTrue(Fixtures.maxAbsDiff(la, lb, 0, 3 * V) < 1e-6, "text before <image> is independent of it");
        assertTrue(Fixtures.maxAbsDiff(la, lb, 3 * V, la.length) > 1e-4, "the image must reach later tokens");
    }

    @Test
    void lastVisionLayerIsNotUsedBecauseFeaturesComeFromThePenultimateLayer() {
        int[] ids = {1, ByteTokenizer.IMAGE, 20, 30};
        EncodedExample e = example(ids, Fixtures.randomPixels(16, 3));
        float[] before = Fixtures.logits(model, manager, e);
        Map<String, Tensor> w = model.toTensors(null);
        int last = TINY.vision().numLayers() - 1;
        String fc2 = LlavaModel.VISION + "encoder.layers." + last + ".mlp.fc2.weight";
        java.util.Arrays.fill(w.get(fc2).data(), 5f);
        java.util.Arrays.fill(w.get(LlavaModel.VISION + "post_layernorm.weight").data(), 3f);
        try (LlavaModel changed = LlavaModel.fromTensors(TINY, manager, w)) {
            assertArrayEquals(before, Fixtures.logits(changed, manager, e), 0f);
        }
        // ... whereas the penultimate layer matters.
        Map<String, Tensor> w2 = model.toTensors(null);
        java.util.Arrays.fill(w2.get(LlavaModel.VISION + "encoder.layers." + (last - 1) + ".mlp.fc2.weight").data(), 5f);
        try (LlavaModel changed = LlavaModel.fromTensors(TINY, manager, w2)) {
            assertTrue(Fixtures.maxAbsDiff(before, Fixtures.logits(changed, manager, e), 0, before.length) > 1e-4);
        }
    }

    @Test
    void groupedQueryAttentionMatchesFullAttentionWithRepeatedKeyValueHeads() {
        // HF repeat_kv: query head h reads kv head h / (heads / kvHeads). Build the equivalent MHA model by
        // repeating each kv head's rows, and check both models compute the same logits.
        LlavaConfig.TextConfig t = TINY.text();
        LlavaConfig mhaConfig = new LlavaConfig(TINY.vision(), new LlavaConfig.TextConfig(t.vocabSize(), t.hiddenSize(),
                t.intermediateSize(), t.numLayers(), t.numHeads(), t.numHeads(), t.rmsNormEps(), t.ropeTheta(),
                t.maxPositions(), false), TINY.imageTokenIndex(), TINY.projectorHiddenAct(), TINY.visionFeatureLayer(),
                0, 1, 2);
        Map<String, Tensor> w = model.toTensors(null);
        int hd = t.headDim();
        int groups = t.numHeads() / t.numKvHeads();
        for (int l = 0; l < t.numLayers(); l++) {
            for (String p : new String[] {"k_proj", "v_proj"}) {
                String name = LlavaModel.TEXT + "layers." + l + ".self_attn." + p + ".weight";
                float[] kv = w.get(name).data();
                float[] full = new float[t.numHeads() * hd * t.hiddenSize()];
                for (int h = 0; h < t.numHeads(); h++) {
                    System.arraycopy(kv, (h / groups) * hd * t.hiddenSize(), full, h * hd * t.hiddenSize(),
                            hd * t.hiddenSize());
                }
                w.put(name, Tensor.f32(full, t.numHeads() * hd, t.hiddenSize()));
            }
        }
        EncodedExample e = example(new int[] {1, ByteTokenizer.IMAGE, 20, 30, 40, 50}, Fixtures.randomPixels(16, 4));
        try (LlavaModel mha = LlavaModel.fromTensors(mhaConfig, manager, w)) {
            float[] a = Fixtures.logits(model, manager, e);
            float[] b = Fixtures.logits(mha, manager, e);
            assertTrue(Fixtures.maxAbsDiff(a, b, 0, a.length) < 1e-5);
        }
    }

    @Test
    void missingOrMisshapenWeightsAreRejectedByName() {
        Map<String, Tensor> w = model.toTensors(null);
        String name = LlavaModel.TEXT + "norm.weight";
        w.remove(name);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LlavaModel.fromTensors(TINY, manager, w));
        assertTrue(e.getMessage().contains(name));
        Map<String, Tensor> w2 = model.toTensors(null);
        w2.put(name, Tensor.f32(new float[3], 3));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LlavaModel.fromTensors(TINY, manager, w2))
                .getMessage().contains("shape"));
    }
}
