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

    /** A single-turn convenience form of {@link #generate(Path, List, GenerationSettings)}. */
    default List<String> generate(Path image, String prompt, GenerationSettings settings) {
        return generate(image, List.of(ChatMessage.user(prompt)), settings);
    }

    @Override
    default void close() {}
}
