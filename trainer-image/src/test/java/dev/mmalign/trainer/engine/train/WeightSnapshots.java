package dev.mmalign.trainer.engine.train;

import ai.djl.ndarray.NDArray;
import dev.mmalign.trainer.engine.model.LlavaModel;
import java.util.LinkedHashMap;
import java.util.Map;

/** Copies of a model's weights and LoRA pairs (by name, {@code .lora_A}/{@code .lora_B} suffixed), to compare runs. */
final class WeightSnapshots {
    private WeightSnapshots() {}

    static Map<String, float[]> of(LlavaModel model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : model.weights().entrySet()) {
            out.put(e.getKey(), e.getValue().toFloatArray());
        }
        for (Map.Entry<String, LlavaModel.LoraWeights> e : model.lora().entrySet()) {
            out.put(e.getKey() + ".lora_A", e.getValue().a().toFloatArray());
            out.put(e.getKey() + ".lora_B", e.getValue().b().toFloatArray());
        }
        return out;
    }

    /** The largest |a − b| over every value of every array of {@code a}, each against the array of the same name in b. */
    static double maxAbsDifference(Map<String, float[]> a, Map<String, float[]> b) {
        double worst = 0;
        for (Map.Entry<String, float[]> e : a.entrySet()) {
            float[] x = e.getValue();
            float[] y = b.get(e.getKey());
            for (int i = 0; i < x.length; i++) {
                worst = Math.max(worst, Math.abs(x[i] - y[i]));
            }
        }
        return worst;
    }
}
