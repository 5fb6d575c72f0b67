package dev.mmalign.trainer.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.mmalign.trainer.engine.data.EncodedExample;
import dev.mmalign.trainer.engine.model.LlavaConfig;
import dev.mmalign.trainer.engine.model.LlavaModel;
import dev.mmalign.trainer.engine.safetensors.DType;
import dev.mmalign.trainer.engine.safetensors.SafeTensorsReader;
import dev.mmalign.trainer.engine.safetensors.ShardedCheckpoint;
import dev.mmalign.trainer.engine.safetensors.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Guards HF-layout model directories: save/load round trips, sharding, dtypes, llava-hf names, config.json. */
class ModelLoaderTest {
    @TempDir Path dir;

    private static EncodedExample probe(VisionLanguageModel vlm) {
        return EncodedExample.of(vlm.tokenizer(), "What is shown?", "A cat.", Fixtures.randomPixels(16, 9),
                vlm.imagePositions(), 300, true);
    }

    @Test
    void savedModelReloadsWithIdenticalLogits() throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 3)) {
            ModelLoader.save(vlm, dir);
            assertTrue(Files.exists(dir.resolve("config.json")));
            assertTrue(Files.exists(dir.resolve("model.safetensors")));
            try (VisionLanguageModel back = ModelLoader.load(dir)) {
                assertEquals(vlm.model().config(), back.model().config());
                float[] a = Fixtures.logits(vlm.model(), vlm.manager(), probe(vlm));
                float[] b = Fixtures.logits(back.model(), back.manager(), probe(back));
                assertArrayEquals(a, b, 0f);
            }
        }
    }

    @Test
    void shardedSaveUsesIndexAndLlavaHfNames() throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 3)) {
            ModelLoader.save(vlm, dir, 20_000);
            String index = Files.readString(dir.resolve(ShardedCheckpoint.INDEX));
            assertTrue(index.contains("\"language_model.model.layers.0.self_attn.q_proj.weight\""));
            assertTrue(index.contains("\"vision_tower.vision_model.encoder.layers.0.mlp.fc1.weight\""));
            assertTrue(index.contains("\"multi_modal_projector.linear_1.weight\""));
            assertTrue(index.contains("\"language_model.lm_head.weight\""));
            assertFalse(Files.exists(dir.resolve("model.safetensors")));
            try (VisionLanguageModel back = ModelLoader.load(dir)) {
                assertArrayEquals(Fixtures.logits(vlm.model(), vlm.manager(), probe(vlm)),
                        Fixtures.logits(back.model(), back.manager(), probe(back)), 0f);
            }
            String config = Files.readString(dir.resolve("config.json"));
            assertTrue(config.contains("LlavaForConditionalGeneration"));
            assertTrue(config.contains("\"num_key_value_heads\" : 2"));
        }
    }

    @Test
    void bf16CheckpointLoadsAndKeepsItsDtypeWhenSavedAgain() throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 3)) {
            ModelLoader.save(vlm, dir, DType.BF16);
            try (SafeTensorsReader r = SafeTensorsReader.open(dir.resolve("model.safetensors"))) {
                assertTrue(r.entries().values().stream().allMatch(e -> e.dtype() == DType.BF16));
            }
            try (VisionLanguageModel back = ModelLoader.load(dir)) {
                float[] a = vlm.model().weights().get(LlavaModel.LM_HEAD).toFloatArray();
                float[] b = back.model().weights().get(LlavaModel.LM_HEAD).toFloatArray();
                // bf16 keeps 8 significant bits: each value within 2^-8 of itself (relative), whatever its scale.
                for (int i = 0; i < a.length; i++) {
                    assertTrue(Math.abs(a[i] - b[i]) <= Math.abs(a[i]) / 256, "bf16 keeps ~3 significant digits at " + i);
                }
                Path again = dir.resolve("again");
                ModelLoader.save(back, again);
                try (SafeTensorsReader r = SafeTensorsReader.open(again.resolve("model.safetensors"))) {
                    assertEquals(DType.BF16, r.entries().get(LlavaModel.LM_HEAD).dtype());
                }
            }
        }
    }

    /**
     * Guards loading straight into fp16 storage: a sharded BF16 checkpoint streamed with every weight selected for
     * half precision holds FLOAT16 weights equal to the fp16 rounding of the checkpoint's values, computes logits
     * close to the fp32 load, and saves back in the checkpoint's dtype.
     */
    @Test
    void shardedBf16CheckpointStreamsIntoFp16Storage() throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 3)) {
            ModelLoader.save(vlm, dir, DType.BF16);
            Path sharded = dir.resolve("sharded");
            try (VisionLanguageModel fp32 = ModelLoader.load(dir)) {
                ModelLoader.save(fp32, sharded, 20_000);
                try (VisionLanguageModel half = ModelLoader.load(sharded, name -> true)) {
                    for (Map.Entry<String, ai.djl.ndarray.NDArray> e : half.model().weights().entrySet()) {
                        assertEquals(ai.djl.ndarray.types.DataType.FLOAT16, e.getValue().getDataType(), e.getKey());
                        float[] want = fp32.model().weights().get(e.getKey()).toFloatArray();
                        float[] got = e.getValue().toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
                        float[] rounded = new float[want.length];
                        for (int i = 0; i < want.length; i++) {
                            rounded[i] = DType.halfToFloat(DType.floatToHalf(want[i]));
                        }
                        assertArrayEquals(rounded, got, 0f, e.getKey());
                    }
                    float[] a = Fixtures.logits(fp32.model(), fp32.manager(), probe(fp32));
                    float[] b = Fixtures.logits(half.model(), half.manager(), probe(half));
                    double worst = 0;
                    for (int i = 0; i < a.length; i++) {
                        worst = Math.max(worst, Math.abs(a[i] - b[i]) / (0.02 + Math.abs(a[i]) * 0.01));
                    }
                    assertTrue(worst <= 1, "logits within 0.02 + 1 % of the fp32 load's: " + worst);
                    Path again = dir.resolve("again");
                    ModelLoader.save(half, again);
                    try (SafeTensorsReader r = SafeTensorsReader.open(again.resolve("model.safetensors"))) {
                        assertEquals(DType.BF16, r.entries().get(LlavaModel.LM_HEAD).dtype());
                    }
                }
            }
        }
    }

    @Test
    void newTransformersNamingIsMappedOntoLlavaHfNames() throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 3)) {
            Map<String, Tensor> renamed = new LinkedHashMap<>();
            vlm.model().toTensors(null).forEach((k, v) -> {
                String n = k.startsWith("language_model.model.") ? "model.language_model." + k.substring(21)
                        : k.equals(LlavaModel.LM_HEAD) ? "lm_head.weight" : "model." + k;
                renamed.put(n, v);
            });
            vlm.model().config().write(dir.resolve("config.json"));
            ShardedCheckpoint.write(dir, renamed, Long.MAX_VALUE);
            try (VisionLanguageModel back = ModelLoader.load(dir)) {
                assertArrayEquals(Fixtures.logits(vlm.model(), vlm.manager(), probe(vlm)),
                        Fixtures.logits(back.model(), back.manager(), probe(back)), 0f);
            }
        }
    }

    @Test
    void configJsonWithHfDefaultsParses() throws Exception {
        // A config.json in the shape of llava-hf/llava-1.5-7b-hf (abridged): unset fields take HF defaults.
        Files.writeString(dir.resolve("config.json"), """
                {"architectures":["LlavaForConditionalGeneration"],"image_token_index":32000,
                 "model_type":"llava","projector_hidden_act":"gelu","vision_feature_layer":-2,
                 "text_config":{"model_type":"llama","vocab_size":32064,"rms_norm_eps":1e-05},
                 "vision_config":{"hidden_size":1024,"image_size":336,"intermediate_size":4096,
                   "num_attention_heads":16,"num_hidden_layers":24,"patch_size":14,"projection_dim":768}}
                """);
        LlavaConfig c = LlavaConfig.read(dir.resolve("config.json"));
        assertEquals(576, c.vision().numPatches());
        assertEquals(4096, c.text().hiddenSize());
        assertEquals(32, c.text().numKvHeads());
        assertEquals(32000, c.imageTokenIndex());
        assertEquals("quick_gelu", c.vision().hiddenAct());
    }

    @Test
    void directoryWithoutWeightsGivesClearError() throws Exception {
        LlavaConfig.tiny().write(dir.resolve("config.json"));
        Exception e = assertThrows(Exception.class, () -> ModelLoader.load(dir));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }
}
