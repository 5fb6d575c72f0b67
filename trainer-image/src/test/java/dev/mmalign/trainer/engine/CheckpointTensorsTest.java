package dev.mmalign.trainer.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.mmalign.trainer.engine.model.LlavaModel;
import dev.mmalign.trainer.engine.model.UnsupportedCheckpointException;
import dev.mmalign.trainer.engine.safetensors.ShardedCheckpoint;
import dev.mmalign.trainer.engine.safetensors.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards that a checkpoint loads only when it holds exactly the model its config.json describes: a tensor the engine
 * would not use (dropping it would compute another model) or a missing one is an error naming the tensor and the
 * file; only buffers transformers recomputes itself are skipped.
 */
class CheckpointTensorsTest {
    @TempDir Path dir;

    private Map<String, Tensor> tinyTensors(VisionLanguageModel vlm) throws Exception {
        vlm.model().config().write(dir.resolve("config.json"));
        return new LinkedHashMap<>(vlm.model().toTensors(null));
    }

    @Test
    void anUnknownTensorIsAnErrorNamingTensorAndFile() throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 3)) {
            Map<String, Tensor> w = tinyTensors(vlm);
            // A q_proj bias, as a Qwen-style checkpoint has, under a config that does not say attention_bias.
            w.put(LlavaModel.TEXT + "layers.0.self_attn.q_proj.bias", Tensor.f32(new float[32], new long[] {32}));
            ShardedCheckpoint.write(dir, w, Long.MAX_VALUE);
            UnsupportedCheckpointException e = assertThrows(UnsupportedCheckpointException.class,
                    () -> ModelLoader.load(dir));
            assertTrue(e.getMessage().contains(dir.resolve("model.safetensors").toString()), e.getMessage());
            assertTrue(e.getMessage().contains("'language_model.model.layers.0.self_attn.q_proj.bias'"),
                    e.getMessage());
        }
    }

    @Test
    void aMissingTensorIsAnErrorNamingTensorAndFile() throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 3)) {
            Map<String, Tensor> w = tinyTensors(vlm);
            w.remove(LlavaModel.TEXT + "layers.1.mlp.up_proj.weight");
            ShardedCheckpoint.write(dir, w, 20_000); // sharded: the index is the file named
            UnsupportedCheckpointException e = assertThrows(UnsupportedCheckpointException.class,
                    () -> ModelLoader.load(dir));
            assertTrue(e.getMessage().contains(dir.resolve(ShardedCheckpoint.INDEX).toString()), e.getMessage());
            assertTrue(e.getMessage().contains("'language_model.model.layers.1.mlp.up_proj.weight'"), e.getMessage());
        }
    }

    @Test
    void aMisshapenTensorIsAnErrorNamingTensorAndFile() throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 3)) {
            Map<String, Tensor> w = tinyTensors(vlm);
            w.put(LlavaModel.TEXT + "norm.weight", Tensor.f32(new float[16], new long[] {16}));
            ShardedCheckpoint.write(dir, w, Long.MAX_VALUE);
            UnsupportedCheckpointException e = assertThrows(UnsupportedCheckpointException.class,
                    () -> ModelLoader.load(dir));
            assertTrue(e.getMessage().contains("'language_model.model.norm.weight'"), e.getMessage());
            assertTrue(e.getMessage().contains("[16]"), e.getMessage());
        }
    }

    @Test
    void rotaryAndPositionIdBuffersAreSkipped() throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 3)) {
            Map<String, Tensor> w = tinyTensors(vlm);
            w.put(LlavaModel.TEXT + "layers.0.self_attn.rotary_emb.inv_freq", Tensor.f32(new float[4], new long[] {4}));
            w.put(LlavaModel.VISION + "embeddings.position_ids", Tensor.f32(new float[5], new long[] {1, 5}));
            ShardedCheckpoint.write(dir, w, Long.MAX_VALUE);
            try (VisionLanguageModel back = ModelLoader.load(dir)) {
                assertEquals(vlm.model().weights().keySet(), back.model().weights().keySet());
            }
        }
    }
}
