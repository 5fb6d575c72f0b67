package dev.mmalign.trainer.engine.lora;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmalign.trainer.engine.Fixtures;
import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.bench.ToyData;
import dev.mmalign.trainer.engine.data.EncodedExample;
import dev.mmalign.trainer.engine.model.LlavaModel;
import dev.mmalign.trainer.engine.safetensors.SafeTensorsReader;
import dev.mmalign.trainer.engine.safetensors.Tensor;
import dev.mmalign.trainer.engine.train.DpoTrainer;
import dev.mmalign.trainer.engine.train.TrainConfig;
import dev.mmalign.trainer.engine.train.TrainResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Guards LoRA: frozen base, PEFT adapter layout, adapter reload, and merge equivalence. */
class LoraTest {
    @TempDir Path dir;

    private TrainResult trainLora(VisionLanguageModel vlm, boolean trainProjector) throws Exception {
        List<String> images = ToyData.writeImages(dir.resolve("img"), 4, 16);
        TrainConfig cfg = TrainConfig.builder()
                .lora(LoraConfig.builder().rank(4).alpha(8).trainProjector(trainProjector).build())
                .batchSize(2)
                .gradientAccumulation(1)
                .epochs(2)
                .learningRate(5e-3)
                .build();
        return new DpoTrainer(vlm, cfg, dir.resolve("img")).train(ToyData.preferencePairs(images),
                dir.resolve("out"), null, null);
    }

    private static EncodedExample probe(VisionLanguageModel vlm) {
        return EncodedExample.of(vlm.tokenizer(), "What colour is it?", "It is red.", Fixtures.randomPixels(16, 5),
                vlm.imagePositions(), 300, true);
    }

    @Test
    void baseWeightsAreBitIdenticalAfterLoraTrainingWhileAdaptersMoved() throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 2)) {
            Map<String, Tensor> before = vlm.model().toTensors(null);
            trainLora(vlm, false);
            Map<String, Tensor> after = vlm.model().toTensors(null);
            for (String name : before.keySet()) {
                assertArrayEquals(before.get(name).data(), after.get(name).data(), 0f, name + " changed");
            }
            LlavaModel.LoraWeights q = vlm.model().lora().get("language_model.model.layers.0.self_attn.q_proj");
            assertTrue(q.b().abs().max().getFloat() > 0, "LoRA B must have been trained away from zero");
            assertEquals(2 * 7, vlm.model().lora().size(), "7 target modules in each of 2 layers");
        }
    }

    @Test
    void trainableProjectorMovesButTheRestOfTheBaseDoesNot() throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 2)) {
            Map<String, Tensor> before = vlm.model().toTensors(null);
            TrainResult r = trainLora(vlm, true);
            Map<String, Tensor> after = vlm.model().toTensors(null);
            for (String name : before.keySet()) {
                boolean same = java.util.Arrays.equals(before.get(name).data(), after.get(name).data());
                assertEquals(!name.startsWith(LlavaModel.PROJECTOR), same, name);
            }
            try (SafeTensorsReader reader = SafeTensorsReader.open(r.output().resolve(Lora.ADAPTER_WEIGHTS))) {
                assertTrue(reader.entries().containsKey("base_model.model.multi_modal_projector.linear_1.weight"));
            }
        }
    }

    @Test
    void adapterIsSavedInPeftLayoutAndReloadsToTheSameModel() throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 2)) {
            TrainResult r = trainLora(vlm, false);
            Path adapter = r.output();
            JsonNode cfg = new ObjectMapper().readTree(adapter.resolve(Lora.ADAPTER_CONFIG).toFile());
            assertEquals("LORA", cfg.get("peft_type").asText());
            assertEquals(4, cfg.get("r").asInt());
            assertEquals(8.0, cfg.get("lora_alpha").asDouble());
            assertTrue(cfg.get("target_modules").asText().contains("q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj"));
            try (SafeTensorsReader reader = SafeTensorsReader.open(adapter.resolve(Lora.ADAPTER_WEIGHTS))) {
                var a = reader.entries().get("base_model.model.language_model.model.layers.1.mlp.down_proj.lora_A.weight");
                var b = reader.entries().get("base_model.model.language_model.model.layers.1.mlp.down_proj.lora_B.weight");
                assertArrayEquals(new long[] {4, 64}, a.shape(), "lora_A is [r, in]");
                assertArrayEquals(new long[] {32, 4}, b.shape(), "lora_B is [out, r]");
                assertEquals(28, reader.entries().size());
            }
            float[] trained = Fixtures.logits(vlm.model(), vlm.manager(), probe(vlm));
            try (VisionLanguageModel fresh = ModelLoader.create("tiny", 2)) {
                LoraConfig loaded = Lora.load(fresh.model(), adapter);
                assertEquals(4, loaded.rank());
                assertArrayEquals(trained, Fixtures.logits(fresh.model(), fresh.manager(), probe(fresh)), 1e-6f);
            }
        }
    }

    @Test
    void mergingTheAdapterGivesTheSameOutputsWithoutLora() throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 2)) {
            trainLora(vlm, false);
            float[] withAdapter = Fixtures.logits(vlm.model(), vlm.manager(), probe(vlm));
            vlm.model().setLoraEnabled(false);
            float[] base = Fixtures.logits(vlm.model(), vlm.manager(), probe(vlm));
            vlm.model().setLoraEnabled(true);
            assertTrue(Fixtures.maxAbsDiff(withAdapter, base, 0, base.length) > 1e-4, "adapter must matter");
            Lora.merge(vlm.model());
            assertTrue(vlm.model().lora().isEmpty());
            float[] merged = Fixtures.logits(vlm.model(), vlm.manager(), probe(vlm));
            assertTrue(Fixtures.maxAbsDiff(withAdapter, merged, 0, merged.length) < 1e-4);
            ModelLoader.save(vlm, dir.resolve("merged"));
            try (VisionLanguageModel back = ModelLoader.load(dir.resolve("merged"))) {
                assertArrayEquals(merged, Fixtures.logits(back.model(), back.manager(), probe(back)), 0f);
            }
        }
    }
}
