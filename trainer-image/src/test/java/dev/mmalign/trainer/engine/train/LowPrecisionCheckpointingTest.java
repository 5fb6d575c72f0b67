package dev.mmalign.trainer.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.bench.ToyData;
import dev.mmalign.trainer.engine.lora.LoraConfig;
import dev.mmalign.trainer.engine.model.LlavaModel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fp16-stored frozen weights combined with activation checkpointing and with data-parallel replicas: the recomputed
 * blocks and a replica's copy of the model must cast the fp16 weights exactly as the plain forward pass does, so
 * LoRA training with fp16 storage learns the same (losses and LoRA weights to 1e-6) with checkpointing on or off and
 * with one replica or two.
 */
class LowPrecisionCheckpointingTest {
    @TempDir Path dir;

    private static TrainConfig fp16Lora() {
        return TrainConfig.builder().method(TrainConfig.Method.SFT).precision(TrainConfig.Precision.FP16)
                .lora(LoraConfig.builder().rank(4).alpha(8).dropout(0.1).build())
                .batchSize(2).gradientAccumulation(2).epochs(1).learningRate(1e-3).maxLength(64).build();
    }

    @Test
    void fp16StorageTrainsTheSameWithAndWithoutCheckpointing() throws Exception {
        TrainConfig plain = fp16Lora().toBuilder().activationCheckpointing(false).build();
        TrainConfig ckpt = fp16Lora().toBuilder().activationCheckpointing(true).build();
        compare(plain, ckpt);
    }

    @Test
    void fp16StorageTrainsTheSameOnOneReplicaAndTwo() throws Exception {
        TrainConfig one = fp16Lora();
        TrainConfig two = one.toBuilder().gradientAccumulation(1).replicas(2).build();
        compare(one, two);
    }

    /**
     * The numbers above cannot tell an fp16 replica from an fp32 copy of the same fp16 values (the cast is exact), so
     * the replica's storage is checked directly: it must not take twice the memory of the model it copies.
     */
    @Test
    void aReplicaKeepsEveryWeightInItsStorageDtype() throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 5)) {
            LlavaModel model = vlm.model();
            WeightStorage.apply(model, fp16Lora());
            try (ai.djl.ndarray.NDManager parent = ai.djl.ndarray.NDManager.newBaseManager();
                    LlavaModel replica = model.replicate(parent)) {
                assertEquals(DataType.FLOAT16, model.kvCacheType(), "the fixture stores frozen weights in fp16");
                for (String name : model.weights().keySet()) {
                    assertEquals(model.deviceType(name), replica.deviceType(name), name);
                }
            }
        }
    }

    private void compare(TrainConfig a, TrainConfig b) throws Exception {
        Path root = dir.resolve("img");
        List<String> images = ToyData.writeImages(root, 8, 16);
        Trained x = train(a, root, images, dir.resolve("a"));
        Trained y = train(b, root, images, dir.resolve("b"));
        assertEquals(2, x.losses().size(), "8 examples / (2 per micro-batch · 2 micro-batches)");
        assertEquals(x.losses().size(), y.losses().size());
        for (int i = 0; i < x.losses().size(); i++) {
            assertEquals(x.losses().get(i), y.losses().get(i), 1e-6, "loss of step " + (i + 1));
        }
        double worst = 0;
        double largestB = 0;
        for (Map.Entry<String, float[]> e : x.lora().entrySet()) {
            float[] p = e.getValue();
            float[] q = y.lora().get(e.getKey());
            for (int i = 0; i < p.length; i++) {
                worst = Math.max(worst, Math.abs(p[i] - q[i]));
                if (e.getKey().endsWith(".lora_B")) {
                    largestB = Math.max(largestB, Math.abs(p[i]));
                }
            }
        }
        assertTrue(largestB > 1e-4, "training must move LoRA B off zero (largest " + largestB + ")");
        assertTrue(worst <= 1e-6, "max |LoRA weight difference|: " + worst);
    }

    private record Trained(List<Double> losses, Map<String, float[]> lora) {}

    private static Trained train(TrainConfig cfg, Path root, List<String> images, Path out) throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 5)) {
            TrainResult r = new SftTrainer(vlm, cfg, root).train(ToyData.sftExamples(images), out, null, null);
            LlavaModel model = vlm.model();
            assertEquals(DataType.FLOAT16, model.kvCacheType(), "frozen weights really stored in fp16");
            Map<String, float[]> lora = new LinkedHashMap<>();
            for (Map.Entry<String, LlavaModel.LoraWeights> e : model.lora().entrySet()) {
                lora.put(e.getKey() + ".lora_A", e.getValue().a().toFloatArray());
                lora.put(e.getKey() + ".lora_B", e.getValue().b().toFloatArray());
            }
            return new Trained(r.losses(), lora);
        }
    }
}
