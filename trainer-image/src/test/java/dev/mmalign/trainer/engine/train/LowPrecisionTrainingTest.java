package dev.mmalign.trainer.engine.train;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.types.DataType;
import dev.mmalign.trainer.data.SftExampleRecord;
import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.bench.LowPrecisionTrace;
import dev.mmalign.trainer.engine.bench.ToyData;
import dev.mmalign.trainer.engine.model.LlavaModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards precision FP16 (frozen weights stored in fp16, everything else fp32): it trains like fp32 to within a stated
 * tolerance, it really stores the frozen weights in fp16, and gradients still reach the trainable weights.
 */
class LowPrecisionTrainingTest {
    /** The tolerance on the loss: 2 % relative at every one of 50 steps (also bench's goal, lowp_loss_rel_err). */
    static final double TOLERANCE = 0.02;

    @TempDir Path dir;

    @Test
    void fiftyStepsWithFp16FrozenWeightsTrackFp32LossesWithinTwoPercent() throws Exception {
        List<Double> fp32 = LowPrecisionTrace.losses(dir.resolve("a"), TrainConfig.Precision.FP32, 50);
        List<Double> fp16 = LowPrecisionTrace.losses(dir.resolve("b"), TrainConfig.Precision.FP16, 50);
        assertEquals(50, fp16.size());
        double err = LowPrecisionTrace.maxRelativeDifference(fp16, fp32);
        assertTrue(err <= TOLERANCE, "max relative loss difference " + err + " over 50 steps");
        assertNotEquals(fp32, fp16, "fp16 storage changes the numbers, so it was in effect");
        assertTrue(fp16.get(49) < 0.7 * fp16.get(0), "the fp16 run learns: " + fp16.get(0) + " → " + fp16.get(49));
    }

    @Test
    void frozenWeightsAreStoredInFp16AndTrainableOnesStayFp32AndLearn() throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 11)) {
            LlavaModel model = vlm.model();
            String frozen = LlavaModel.TEXT + "layers.0.self_attn.q_proj.weight";
            String projector = LlavaModel.PROJECTOR + "linear_1.weight";
            float[] frozenBefore = model.weights().get(frozen).toFloatArray();
            float[] projectorBefore = model.weights().get(projector).toFloatArray();
            Path images = dir.resolve("img");
            List<SftExampleRecord> data = ToyData.sftExamples(ToyData.writeImages(images, 8, 16));
            new SftTrainer(vlm, LowPrecisionTrace.config(TrainConfig.Precision.FP16, 3), images)
                    .train(data, dir.resolve("out"), null, null);

            for (Map.Entry<String, ai.djl.ndarray.NDArray> e : model.weights().entrySet()) {
                DataType expected = e.getKey().startsWith(LlavaModel.PROJECTOR) ? DataType.FLOAT32 : DataType.FLOAT16;
                assertEquals(expected, e.getValue().getDataType(), e.getKey());
            }
            model.lora().values().forEach(l -> {
                assertEquals(DataType.FLOAT32, l.a().getDataType());
                assertEquals(DataType.FLOAT32, l.b().getDataType());
            });
            // LoRA B starts at zero: non-zero now means the gradient flowed through the fp16-stored base weights.
            assertTrue(model.lora().values().stream().anyMatch(l -> l.b().abs().sum().getFloat() > 0));
            assertFalse(java.util.Arrays.equals(projectorBefore, model.weights().get(projector).toFloatArray()),
                    "the trained projector (fp32 in an fp16 model) gets updates");
            float[] frozenAfter = model.weights().get(frozen).toType(DataType.FLOAT32, false).toFloatArray();
            for (int i = 0; i < frozenBefore.length; i++) {
                assertEquals(frozenBefore[i], frozenAfter[i], Math.abs(frozenBefore[i]) / 1024 + 1e-7,
                        "a frozen weight keeps its value up to fp16 rounding at " + i);
            }
        }
    }

    @Test
    void fp32KeepsEveryWeightInFp32EvenAfterAnFp16Load() throws Exception {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 11)) {
            TrainConfig fp16 = LowPrecisionTrace.config(TrainConfig.Precision.FP16, 1);
            WeightStorage.apply(vlm.model(), fp16);
            WeightStorage.apply(vlm.model(), LowPrecisionTrace.config(TrainConfig.Precision.FP32, 1));
            vlm.model().weights().forEach((n, a) -> assertEquals(DataType.FLOAT32, a.getDataType(), n));
            // Full fine-tuning trains every weight, so fp16 stores none of them in half.
            WeightStorage.apply(vlm.model(), fp16.toBuilder().lora(null).build());
            vlm.model().weights().forEach((n, a) -> assertEquals(DataType.FLOAT32, a.getDataType(), n));
        }
    }
}
