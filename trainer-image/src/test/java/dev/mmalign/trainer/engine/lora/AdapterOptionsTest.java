package dev.mmalign.trainer.engine.lora;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mmalign.trainer.engine.Fixtures;
import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.data.EncodedExample;
import dev.mmalign.trainer.engine.model.LlavaModel;
import dev.mmalign.trainer.engine.model.UnsupportedCheckpointException;
import dev.mmalign.trainer.engine.ndarray.OwnedArrays;
import dev.mmalign.trainer.engine.safetensors.SafeTensorsReader;
import dev.mmalign.trainer.engine.safetensors.SafeTensorsWriter;
import dev.mmalign.trainer.engine.safetensors.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards that a PEFT adapter is loaded only when the engine computes it as PEFT would: rsLoRA's scaling is honoured,
 * DoRA, per-layer rank/alpha patterns, trained biases and unknown tensors are refused naming the field or tensor and
 * the file.
 */
class AdapterOptionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path dir;
    private Path adapter;

    /** A rank-4, alpha-8 adapter on q and v with random (non-zero) A and B, saved in PEFT layout. */
    @BeforeEach
    void writeAdapter() throws Exception {
        adapter = dir.resolve("adapter");
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 2)) {
            LoraConfig cfg = LoraConfig.builder().rank(4).alpha(8).targetModules(List.of("q", "v")).build();
            Lora.attach(vlm.model(), cfg, 1);
            Random rnd = new Random(4);
            for (LlavaModel.LoraWeights l : vlm.model().lora().values()) {
                float[] b = new float[(int) l.b().size()];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) rnd.nextGaussian() * 0.5f;
                }
                OwnedArrays.copyInto(l.b(), b);
            }
            Lora.save(vlm.model(), cfg, adapter, "tiny");
        }
    }

    private void editConfig(Consumer<ObjectNode> edit) throws Exception {
        Path file = adapter.resolve(Lora.ADAPTER_CONFIG);
        ObjectNode c = (ObjectNode) JSON.readTree(file.toFile());
        edit.accept(c);
        JSON.writeValue(file.toFile(), c);
    }

    private float[] logitsWithAdapter() throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 2)) {
            Lora.load(vlm.model(), adapter);
            EncodedExample e = EncodedExample.of(vlm.tokenizer(), "What colour is it?", "It is red.",
                    Fixtures.randomPixels(16, 5), vlm.imagePositions(), 300, true);
            return Fixtures.logits(vlm.model(), vlm.manager(), e);
        }
    }

    private void assertRefused(String field, Path file) {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 2)) {
            UnsupportedCheckpointException e = assertThrows(UnsupportedCheckpointException.class,
                    () -> Lora.load(vlm.model(), adapter));
            assertTrue(e.getMessage().startsWith(file + ": " + field + ": "), e.getMessage());
        }
    }

    @Test
    void rsLoraScalesByAlphaOverSquareRootOfRank() throws Exception {
        float[] plain = logitsWithAdapter();
        editConfig(c -> c.put("use_rslora", true));
        float[] rs = logitsWithAdapter();
        assertTrue(Fixtures.maxAbsDiff(plain, rs, 0, plain.length) > 1e-4, "the scaling must matter");
        // rsLoRA at r=4, alpha=8 scales by 8/2 = 4, as plain LoRA at r=4, alpha=16 (16/4).
        editConfig(c -> c.put("use_rslora", false).put("lora_alpha", 16));
        assertArrayEquals(logitsWithAdapter(), rs, 1e-6f);
        assertEquals(4.0, LoraConfig.builder().rank(4).alpha(8).rsLora(true).build().scale());
    }

    @Test
    void emptyPatternsAsPeftWritesThemLoad() throws Exception {
        float[] before = logitsWithAdapter();
        editConfig(c -> {
            c.putObject("rank_pattern");
            c.putObject("alpha_pattern");
            c.put("use_dora", false);
        });
        assertArrayEquals(before, logitsWithAdapter(), 0f);
    }

    @Test
    void optionsTheEngineDoesNotComputeAreRefusedNamingFieldAndFile() throws Exception {
        Path config = adapter.resolve(Lora.ADAPTER_CONFIG);
        editConfig(c -> c.put("use_dora", true));
        assertRefused("use_dora", config);
        editConfig(c -> c.put("use_dora", false).putObject("rank_pattern").put("q_proj", 8));
        assertRefused("rank_pattern", config);
        editConfig(c -> {
            c.remove("rank_pattern");
            c.putObject("alpha_pattern").put("v_proj", 32);
        });
        assertRefused("alpha_pattern", config);
        editConfig(c -> {
            c.remove("alpha_pattern");
            c.put("bias", "lora_only");
        });
        assertRefused("bias", config);
        editConfig(c -> c.put("bias", "none").put("peft_type", "IA3"));
        assertRefused("peft_type", config);
    }

    @Test
    void anAdapterWithNewerTransformersLayerNamesLoadsTheSameLayers() throws Exception {
        float[] classic = logitsWithAdapter();
        Path weights = adapter.resolve(Lora.ADAPTER_WEIGHTS);
        Map<String, Tensor> renamed = new LinkedHashMap<>();
        try (SafeTensorsReader r = SafeTensorsReader.open(weights)) {
            for (String k : r.entries().keySet()) {
                // base_model.model.language_model.model.layers.* -> base_model.model.model.language_model.layers.*
                renamed.put(k.replace("base_model.model.language_model.model.", "base_model.model.model.language_model."),
                        r.read(k));
            }
        }
        assertTrue(renamed.keySet().stream().allMatch(k -> k.startsWith("base_model.model.model.language_model.")));
        SafeTensorsWriter.write(weights, renamed, Map.of("format", "pt"));
        assertArrayEquals(classic, logitsWithAdapter(), 0f);
    }

    @Test
    void anUnknownAdapterTensorIsRefusedNamingItAndTheFile() throws Exception {
        Path weights = adapter.resolve(Lora.ADAPTER_WEIGHTS);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        try (SafeTensorsReader r = SafeTensorsReader.open(weights)) {
            for (String k : r.entries().keySet()) {
                tensors.put(k, r.read(k));
            }
        }
        // DoRA's magnitude vector, as PEFT saves it.
        String magnitude = "base_model.model.language_model.model.layers.0.self_attn.q_proj.lora_magnitude_vector";
        tensors.put(magnitude, Tensor.f32(new float[32], new long[] {32}));
        SafeTensorsWriter.write(weights, tensors, Map.of("format", "pt"));
        assertRefused("tensor '" + magnitude + "'", weights);
    }
}
