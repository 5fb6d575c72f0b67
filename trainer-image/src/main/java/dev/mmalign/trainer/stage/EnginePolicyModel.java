package dev.mmalign.trainer.stage;

import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.generate.GenerationConfig;
import dev.mmalign.trainer.engine.generate.Generator;
import dev.mmalign.trainer.engine.train.LogProbs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The stages' {@link PolicyModel} over the DJL engine. Calls are serialised: one engine model is not safe to use
 * from two threads at once. Temperature 0 is greedy decoding (the engine's sampler takes the arg-max then).
 */
public final class EnginePolicyModel implements PolicyModel {

    private final VisionLanguageModel vlm;

    public EnginePolicyModel(VisionLanguageModel vlm) {
        this.vlm = vlm;
    }

    @Override
    public synchronized List<String> generate(Path image, List<ChatMessage> conversation,
                                              GenerationSettings settings) {
        GenerationConfig cfg = GenerationConfig.of(settings.temperature(), settings.topP(), settings.maxNewTokens(),
                settings.count(), settings.seed());
        try {
            return Generator.generate(vlm, image, ConversationPrompt.flatten(conversation), cfg);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot generate" + (image == null ? "" : " for image " + image), e);
        }
    }

    @Override
    public synchronized double logProb(Path image, String prompt, String response, boolean average) {
        try {
            return LogProbs.responseLogProb(vlm, image, prompt, response, average);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot score" + (image == null ? "" : " with image " + image), e);
        }
    }

    @Override
    public synchronized void close() {
        vlm.close();
    }
}
