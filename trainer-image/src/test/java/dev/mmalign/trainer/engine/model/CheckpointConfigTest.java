package dev.mmalign.trainer.engine.model;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mmalign.trainer.engine.Fixtures;
import dev.mmalign.trainer.engine.ndarray.OwnedArrays;
import dev.mmalign.trainer.engine.safetensors.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards what LlavaConfig makes of the config.json fields that change the computation: each value the engine can
 * compute is computed as transformers does, each it cannot is refused naming the field and the file.
 */
class CheckpointConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static NDManager manager;
    @TempDir Path dir;

    @BeforeAll
    static void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    /** The tiny preset's config.json with one edit applied to its root node. */
    private Path config(Consumer<ObjectNode> edit) throws Exception {
        Path file = dir.resolve("config.json");
        LlavaConfig.tiny().write(file);
        ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
        edit.accept(root);
        JSON.writeValue(file.toFile(), root);
        return file;
    }

    private static ObjectNode text(ObjectNode root) {
        return (ObjectNode) root.get("text_config");
    }

    private void assertRefused(String field, Consumer<ObjectNode> edit) throws Exception {
        Path file = config(edit);
        UnsupportedCheckpointException e = assertThrows(UnsupportedCheckpointException.class,
                () -> LlavaConfig.read(file));
        assertTrue(e.getMessage().startsWith(file + ": " + field + ": "), e.getMessage());
    }

    @Test
    void valuesTheEngineCannotComputeAreRefusedNamingFieldAndFile() throws Exception {
        assertRefused("vision_feature_select_strategy", r -> r.put("vision_feature_select_strategy", "cls_only"));
        assertRefused("vision_feature_layer", r -> r.putArray("vision_feature_layer").add(-2).add(-5));
        assertRefused("vision_feature_layer", r -> r.put("vision_feature_layer", -4)); // tiny has 2 layers
        assertRefused("text_config.hidden_act", r -> text(r).put("hidden_act", "relu2"));
        assertRefused("vision_config.hidden_act", r -> ((ObjectNode) r.get("vision_config")).put("hidden_act", "tanh"));
        assertRefused("projector_hidden_act", r -> r.put("projector_hidden_act", "swish"));
        assertRefused("text_config.rope_scaling", r -> text(r).putObject("rope_scaling")
                .put("rope_type", "dynamic").put("factor", 2.0));
        assertRefused("text_config.rope_scaling", r -> text(r).putObject("rope_scaling")
                .put("type", "yarn").put("factor", 4.0));
        assertRefused("text_config.rope_scaling.factor", r -> text(r).putObject("rope_scaling")
                .put("rope_type", "linear"));
        assertRefused("text_config.attention_bias", r -> text(r).put("attention_bias", "yes"));
        assertRefused("text_config.head_dim", r -> text(r).put("head_dim", 16)); // tiny: 32 / 4 = 8
    }

    @Test
    void honouredFieldsAreReadAndWrittenBack() throws Exception {
        Path file = config(r -> {
            r.put("vision_feature_select_strategy", "full");
            r.put("vision_feature_layer", -1);
            text(r).put("hidden_act", "gelu").put("attention_bias", true).put("mlp_bias", true).put("head_dim", 8);
            text(r).putObject("rope_scaling").put("rope_type", "linear").put("factor", 2.0);
        });
        LlavaConfig c = LlavaConfig.read(file);
        assertEquals("full", c.visionFeatureSelectStrategy());
        assertEquals(-1, c.visionFeatureLayer());
        assertEquals("gelu", c.text().hiddenAct());
        assertEquals(2.0, c.text().ropeLinearFactor());
        assertTrue(c.text().attentionBias());
        assertTrue(c.text().mlpBias());
        Path again = dir.resolve("again.json");
        c.write(again);
        assertEquals(c, LlavaConfig.read(again));
        // Absent fields: LLaMA / LLaVA-1.5 defaults.
        LlavaConfig plain = LlavaConfig.read(config(r -> {
            r.remove("vision_feature_select_strategy");
            text(r).remove("hidden_act");
            text(r).remove("attention_bias");
            text(r).remove("mlp_bias");
            text(r).putNull("rope_scaling");
        }));
        assertEquals(LlavaConfig.tiny(), plain);
    }

    @Test
    void fullSelectStrategyKeepsTheClsTokenAsOneMoreImagePosition() {
        LlavaConfig full = withSelect(LlavaConfig.tiny(), "full");
        assertEquals(LlavaConfig.tiny().imageTokens() + 1, full.imageTokens());
        try (LlavaModel def = LlavaModel.initialize(LlavaConfig.tiny(), manager, 5);
                LlavaModel all = LlavaModel.fromTensors(full, manager, def.toTensors(null));
                NDManager m = manager.newSubManager()) {
            NDArray pixels = OwnedArrays.of(m, Fixtures.randomPixels(16, 2), new Shape(1, 3, 16, 16));
            float[] a = def.encodeImages(pixels).toFloatArray();
            NDArray withCls = all.encodeImages(pixels);
            assertEquals(new Shape(1, full.imageTokens(), 32), withCls.getShape());
            // "default" is "full" without its first (CLS) row, as transformers' image_features[:, 1:].
            assertArrayEquals(a, withCls.get(":, 1:, :").toFloatArray(), 0f);
        }
    }

    @Test
    void linearRopeScalingDividesPositionsByTheFactor() {
        LlavaConfig.TextConfig t = LlavaConfig.tiny().text();
        LlavaConfig scaled = withText(LlavaConfig.tiny(), new LlavaConfig.TextConfig(t.vocabSize(), t.hiddenSize(),
                t.intermediateSize(), t.numLayers(), t.numHeads(), t.numKvHeads(), t.rmsNormEps(), t.ropeTheta(),
                t.maxPositions(), false, "silu", 2.0, false, false));
        try (LlavaModel plain = LlavaModel.initialize(LlavaConfig.tiny(), manager, 7);
                LlavaModel linear = LlavaModel.fromTensors(scaled, manager, plain.toTensors(null))) {
            float[] even = logits(linear, new long[] {0, 2, 4, 6, 8});
            float[] consecutive = logits(plain, new long[] {0, 1, 2, 3, 4});
            // Position 2p with factor 2 is position p without scaling.
            assertArrayEquals(consecutive, even, 1e-5f);
            // ...and the positions matter at all, so this test could fail.
            assertTrue(Fixtures.maxAbsDiff(consecutive, logits(plain, new long[] {0, 2, 4, 6, 8}), 0,
                    consecutive.length) > 1e-3);
        }
    }

    @Test
    void attentionBiasesAreAddedWhereTransformersAddsThem() {
        LlavaConfig.TextConfig t = LlavaConfig.tiny().text();
        LlavaConfig biased = withText(LlavaConfig.tiny(), new LlavaConfig.TextConfig(t.vocabSize(), t.hiddenSize(),
                t.intermediateSize(), t.numLayers(), t.numHeads(), t.numKvHeads(), t.rmsNormEps(), t.ropeTheta(),
                t.maxPositions(), false, "silu", 1.0, true, true));
        try (LlavaModel plain = LlavaModel.initialize(LlavaConfig.tiny(), manager, 9)) {
            Map<String, Tensor> w = plain.toTensors(null);
            Map<String, long[]> shapes = WeightNames.expectedShapes(biased);
            Map<String, Tensor> zeroBias = new LinkedHashMap<>(w);
            shapes.forEach((name, shape) -> zeroBias.computeIfAbsent(name, n -> Tensor.f32(new float[(int) shape[0]], shape)));
            assertTrue(shapes.containsKey(LlavaModel.TEXT + "layers.0.self_attn.v_proj.bias"));
            assertTrue(shapes.containsKey(LlavaModel.TEXT + "layers.1.mlp.down_proj.bias"));
            long[] positions = {0, 1, 2, 3, 4};
            float[] base = logits(plain, positions);
            try (LlavaModel zero = LlavaModel.fromTensors(biased, manager, zeroBias)) {
                assertArrayEquals(base, logits(zero, positions), 1e-6f, "zero biases compute the plain model");
            }
            // A v_proj bias b passes unchanged through softmax-weighted averaging (weights sum to 1), so it must
            // equal an o_proj bias of W_o b. Equal logits show both biases sit where transformers puts them.
            String layer = LlavaModel.TEXT + "layers.0.self_attn.";
            int kv = t.numKvHeads() * t.headDim();
            float[] b = new float[kv];
            Random rnd = new Random(1);
            for (int i = 0; i < kv; i++) {
                b[i] = (float) rnd.nextGaussian();
            }
            // Grouped-query attention: query head h reads kv head h / groups, so the o_proj input sees b repeated.
            int groups = t.numHeads() / t.numKvHeads();
            float[] repeated = new float[t.hiddenSize()];
            for (int h = 0; h < t.numHeads(); h++) {
                System.arraycopy(b, (h / groups) * t.headDim(), repeated, h * t.headDim(), t.headDim());
            }
            float[] wo = w.get(layer + "o_proj.weight").data();
            float[] ob = new float[t.hiddenSize()];
            for (int o = 0; o < t.hiddenSize(); o++) {
                for (int i = 0; i < t.hiddenSize(); i++) {
                    ob[o] += wo[o * t.hiddenSize() + i] * repeated[i];
                }
            }
            Map<String, Tensor> vBias = new LinkedHashMap<>(zeroBias);
            vBias.put(layer + "v_proj.bias", Tensor.f32(b, new long[] {kv}));
            Map<String, Tensor> oBias = new LinkedHashMap<>(zeroBias);
            oBias.put(layer + "o_proj.bias", Tensor.f32(ob, new long[] {t.hiddenSize()}));
            try (LlavaModel viaV = LlavaModel.fromTensors(biased, manager, vBias);
                    LlavaModel viaO = LlavaModel.fromTensors(biased, manager, oBias)) {
                float[] v = logits(viaV, positions);
                assertTrue(Fixtures.maxAbsDiff(base, v, 0, base.length) > 1e-3, "the bias must matter");
                assertArrayEquals(logits(viaO, positions), v, 1e-4f);
            }
        }
    }

    @Test
    void decoderActivationFollowsHiddenAct() {
        LlavaConfig.TextConfig t = LlavaConfig.tiny().text();
        LlavaConfig gelu = withText(LlavaConfig.tiny(), new LlavaConfig.TextConfig(t.vocabSize(), t.hiddenSize(),
                t.intermediateSize(), t.numLayers(), t.numHeads(), t.numKvHeads(), t.rmsNormEps(), t.ropeTheta(),
                t.maxPositions(), false, "gelu", 1.0, false, false));
        try (LlavaModel plain = LlavaModel.initialize(LlavaConfig.tiny(), manager, 11);
                LlavaModel other = LlavaModel.fromTensors(gelu, manager, plain.toTensors(null))) {
            long[] positions = {0, 1, 2};
            float[] a = logits(plain, positions);
            assertTrue(Fixtures.maxAbsDiff(a, logits(other, positions), 0, a.length) > 1e-4);
        }
    }

    /** Logits of a fixed 5-token text sequence placed at the given positions. */
    private static float[] logits(LlavaModel model, long[] positions) {
        try (NDManager m = manager.newSubManager()) {
            NDArray ids = m.create(new long[] {1, 72, 101, 108, 111}).get(":" + positions.length).reshape(1, -1);
            NDArray h = model.embedTokens(ids);
            NDArray pos = m.create(positions).reshape(1, -1);
            return model.decode(h, pos, null, null).toFloatArray();
        }
    }

    private static LlavaConfig withSelect(LlavaConfig c, String strategy) {
        return new LlavaConfig(c.vision(), c.text(), c.imageTokenIndex(), c.projectorHiddenAct(),
                c.visionFeatureLayer(), strategy, c.padTokenId(), c.bosTokenId(), c.eosTokenId());
    }

    private static LlavaConfig withText(LlavaConfig c, LlavaConfig.TextConfig text) {
        return new LlavaConfig(c.vision(), text, c.imageTokenIndex(), c.projectorHiddenAct(),
                c.visionFeatureLayer(), c.visionFeatureSelectStrategy(), c.padTokenId(), c.bosTokenId(),
                c.eosTokenId());
    }
}
