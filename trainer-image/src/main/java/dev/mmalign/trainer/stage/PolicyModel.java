package dev.mmalign.trainer.stage;

import java.nio.file.Path;
import java.util.List;

/**
 * What the stages need from the neural engine; the engine's facade implements it. Chat templates and the
 * {@code <image>} token are the engine's business: stages pass plain text.
 */
public interface PolicyModel extends AutoCloseable {

    /**
     * {@code settings.count()} completions of the last user turn of {@code conversation}, with {@code image} (null for
     * text-only) in the context. With the same settings and seed the same texts come back.
     */
    List<String> generate(Path image, List<ChatMessage> conversation, GenerationSettings settings);

    /** Log-probability of {@code response} given image + prompt: summed over its tokens, or averaged if asked. */
    double logProb(Path image, String prompt, String response, boolean average);

    /** One prompt of a {@link #generateAll} call. */
    record Request(Path image, List<ChatMessage> conversation, GenerationSettings settings) {}

    /**
     * Completions for many prompts, in request order, each list what {@link #generate(Path, List, GenerationSettings)}
     * gives for that request alone. A model that can decode prompts together (the engine, with its KV cache) overrides
     * this; the default answers them one by one.
     */
    default List<List<String>> generateAll(List<Request> requests) {
        List<List<String>> out = new java.util.ArrayList<>();
        for (Request r : requests) out.add(generate(r.image(), r.conversation(), r.settings()));
        return out;
    }

    /**
     * Most positions a prompt and its answer may take together (the model's {@code max_position_embeddings});
     * {@link Integer#MAX_VALUE} for a model without such a bound.
     */
    default int contextLength() {
        return Integer.MAX_VALUE;
    }

    /** Positions the prompt of {@code conversation} takes, image patches and BOS included (0 when unbounded). */
    default int promptPositions(Path image, List<ChatMessage> conversation) {
        return 0;
    }

    /** A single-turn convenience form of {@link #generate(Path, List, GenerationSettings)}. */
    default List<String> generate(Path image, String prompt, GenerationSettings settings) {
        return generate(image, List.of(ChatMessage.user(prompt)), settings);
    }

    @Override
    default void close() {}
}
