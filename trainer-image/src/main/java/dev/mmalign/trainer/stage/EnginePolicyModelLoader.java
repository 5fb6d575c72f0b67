package dev.mmalign.trainer.stage;

import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.lora.Lora;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads an HF-layout model folder with the engine and, when given, a PEFT adapter on top. The adapter is merged into
 * the weights right away: the stages only run inference, and a merged model decodes faster than base + LoRA.
 * Registered in META-INF/services so that {@link ModelLoaders#discover()} finds it.
 */
public final class EnginePolicyModelLoader implements PolicyModelLoader {

    @Override
    public PolicyModel load(Path modelDir, Path adapterDir) throws Exception {
        if (!Files.isRegularFile(modelDir.resolve("config.json"))) {
            throw new dev.mmalign.trainer.data.InvalidInputException(modelDir.resolve("config.json"),
                    "model folder has no config.json");
        }
        VisionLanguageModel vlm = ModelLoader.load(modelDir);
        try {
            if (adapterDir != null) {
                Lora.load(vlm.model(), adapterDir);
                Lora.merge(vlm.model());
            }
            return new EnginePolicyModel(vlm);
        } catch (Exception | Error e) {
            vlm.close();
            throw e;
        }
    }
}
