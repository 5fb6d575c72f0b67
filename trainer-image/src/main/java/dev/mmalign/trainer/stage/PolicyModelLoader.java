package dev.mmalign.trainer.stage;

import java.nio.file.Path;

/** Loads a {@link PolicyModel} from a Hugging Face layout folder, optionally with a PEFT adapter on top. */
@FunctionalInterface
public interface PolicyModelLoader {

    PolicyModel load(Path modelDir, Path adapterDir) throws Exception;

    /** Used until the engine is plugged in: any stage that needs a model fails with a clear message. */
    static PolicyModelLoader unavailable() {
        return (model, adapter) -> {
            throw new IllegalStateException("no model engine is registered with this trainer build");
        };
    }
}
