package dev.mmalign.trainer.stage;

import dev.mmalign.trainer.engine.ModelFingerprint;
import java.io.IOException;
import java.nio.file.Path;

/** Loads a {@link PolicyModel} from a Hugging Face layout folder, optionally with a PEFT adapter on top. */
@FunctionalInterface
public interface PolicyModelLoader {

    /** Loads every weight in fp32. */
    PolicyModel load(Path modelDir, Path adapterDir) throws Exception;

    /**
     * Loads with the weights stored in fp16 on the device when {@code halfWeights} (computed in fp32 per use, see
     * {@link InferencePrecision}). A loader without weights of its own (a test double) has nothing to store and loads
     * as {@link #load(Path, Path)} does; the engine's loader overrides this.
     */
    default PolicyModel load(Path modelDir, Path adapterDir, boolean halfWeights) throws Exception {
        return load(modelDir, adapterDir);
    }

    /**
     * A stable identity of the model {@link #load} would load from the same folders (see {@link ModelFingerprint}),
     * recorded with the reference log-probs computed by it.
     */
    default String fingerprint(Path modelDir, Path adapterDir) throws IOException {
        return ModelFingerprint.of(modelDir, adapterDir);
    }

    /** Used until the engine is plugged in: any stage that needs a model fails with a clear message. */
    static PolicyModelLoader unavailable() {
        return (model, adapter) -> {
            throw new IllegalStateException("no model engine is registered with this trainer build");
        };
    }
}
