package dev.mmalign.trainer.stage;

import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.generate.GenerationConfig;
import dev.mmalign.trainer.engine.generate.Generator;
import dev.mmalign.trainer.engine.train.LogProbs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
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

    /** The engine's model, for tests that check how its weights are stored. */
    VisionLanguageModel engine() {
        return vlm;
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

    /**
     * All requests decoded together in one batch of (requests × count) sequences, when they share everything but the
     * seed (the sample stage's case); each keeps its own seed, so a prompt's completions are those it gets alone (see
     * {@link Generator#generateSeeded}). Requests with differing settings are answered one by one.
     */
    @Override
    public synchronized List<List<String>> generateAll(List<Request> requests) {
        if (requests.isEmpty()) return List.of();
        GenerationSettings first = requests.get(0).settings();
        boolean shared = requests.stream().map(Request::settings).allMatch(s -> s.count() == first.count()
                && s.temperature() == first.temperature() && s.topP() == first.topP()
                && s.maxNewTokens() == first.maxNewTokens());
        if (!shared) return PolicyModel.super.generateAll(requests);
        List<Path> images = new ArrayList<>();
        List<String> prompts = new ArrayList<>();
        List<Long> seeds = new ArrayList<>();
        for (Request r : requests) {
            images.add(r.image());
            prompts.add(ConversationPrompt.flatten(r.conversation()));
            seeds.add(r.settings().seed());
        }
        GenerationConfig cfg = GenerationConfig.of(first.temperature(), first.topP(), first.maxNewTokens(),
                first.count(), 0L).withBatchSize(requests.size() * first.count());
        try {
            return Generator.generateSeeded(vlm, images, prompts, seeds, cfg);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot generate for a batch of " + requests.size() + " prompts", e);
        }
    }

    @Override
    public int contextLength() {
        return vlm.model().config().text().maxPositions();
    }

    @Override
    public synchronized int promptPositions(Path image, List<ChatMessage> conversation) {
        return vlm.promptPositions(ConversationPrompt.flatten(conversation), image != null);
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
