package dev.mmalign.trainer.engine.train;

import ai.djl.ndarray.types.DataType;
import dev.mmalign.trainer.engine.model.LlavaModel;
import java.util.ArrayList;

/**
 * Puts every base weight in the storage dtype that {@link TrainConfig#precision()} asks for: fp16 for the frozen
 * weights under FP16, fp32 for everything else. Trainable weights must be fp32, because a weight stored in fp16 is
 * cast outside autograd at each use and would get no gradient.
 */
public final class WeightStorage {
    private WeightStorage() {}

    /** Whether a base weight is trained in this configuration: all in full fine-tuning, the projector if asked. */
    public static boolean trainable(TrainConfig cfg, String weightName) {
        return cfg.lora() == null || (cfg.lora().trainProjector() && weightName.startsWith(LlavaModel.PROJECTOR));
    }

    /** Whether a base weight is stored in fp16 under this configuration (for loading it so straight away). */
    public static boolean storedInHalf(TrainConfig cfg, String weightName) {
        return cfg.precision() == TrainConfig.Precision.FP16 && !trainable(cfg, weightName);
    }

    /** Converts the model's base weights, in libtorch, to what {@code cfg} asks; a weight already so is untouched. */
    public static void apply(LlavaModel model, TrainConfig cfg) {
        for (String name : new ArrayList<>(model.weights().keySet())) {
            model.storeAs(name, storedInHalf(cfg, name) ? DataType.FLOAT16 : DataType.FLOAT32);
        }
    }
}
