package dev.mmalign.trainer.stage;

import ai.djl.ndarray.types.DataType;
import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.lora.Lora;
import dev.mmalign.trainer.sets.SteerLMDescriptor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.function.UnaryOperator;

/**
 * Loads an HF-layout model folder with the engine and, when given, a PEFT adapter on top. The adapter is merged into
 * the weights right away: the stages only run inference, and a merged model decodes faster than base + LoRA.
 * A SteerLM model (a {@value SteerLMDescriptor#FILE} in the adapter folder, or in the model folder when no adapter is
 * given) comes back wrapped in {@link SteerLMPolicyModel}, so every stage asks it in its training template. With an
 * adapter, the adapter folder alone decides: the adapter is what was trained last, on whatever prompts it saw.
 * Registered in META-INF/services so that {@link ModelLoaders#discover()} finds it.
 */
public final class EnginePolicyModelLoader implements PolicyModelLoader {

    private final UnaryOperator<PolicyModel> engineHook;

    public EnginePolicyModelLoader() {
        this(UnaryOperator.identity());
    }

    /** Tests wrap the bare engine model (under the SteerLM condition) to see exactly what reaches the engine. */
    EnginePolicyModelLoader(UnaryOperator<PolicyModel> engineHook) {
        this.engineHook = engineHook;
    }

    @Override
    public PolicyModel load(Path modelDir, Path adapterDir) throws Exception {
        return load(modelDir, adapterDir, false);
    }

    /**
     * With {@code halfWeights}, every weight ends up stored in fp16 on the device (all are frozen here): streamed in
     * as fp16 straight away, or, with an adapter, loaded in fp32, merged with it (LoRA merges in fp32) and converted
     * after, as the train stage does for a base with an adapter.
     */
    @Override
    public PolicyModel load(Path modelDir, Path adapterDir, boolean halfWeights) throws Exception {
        if (!Files.isRegularFile(modelDir.resolve("config.json"))) {
            throw new dev.mmalign.trainer.data.InvalidInputException(modelDir.resolve("config.json"),
                    "model folder has no config.json");
        }
        // Read first: a malformed descriptor fails before the weights are loaded.
        SteerLMDescriptor steer = SteerLMDescriptor.read(adapterDir != null ? adapterDir : modelDir);
        VisionLanguageModel vlm = ModelLoader.load(modelDir, name -> halfWeights && adapterDir == null);
        try {
            if (adapterDir != null) {
                Lora.load(vlm.model(), adapterDir);
                Lora.merge(vlm.model());
                if (halfWeights) {
                    for (String name : new ArrayList<>(vlm.model().weights().keySet())) {
                        vlm.model().storeAs(name, DataType.FLOAT16);
                    }
                }
            }
            PolicyModel model = engineHook.apply(new EnginePolicyModel(vlm));
            return steer == null ? model : new SteerLMPolicyModel(model, steer);
        } catch (Exception | Error e) {
            vlm.close();
            throw e;
        }
    }
}
