package dev.mmalign.trainer.stage;

/**
 * How to sample: {@code count} completions, temperature (0 = greedy), nucleus top-p, most new tokens, and a seed from
 * which the engine derives completion j's randomness, so that reruns give the same text.
 */
public record GenerationSettings(int count, double temperature, double topP, int maxNewTokens, long seed) {

    public static GenerationSettings greedy(int maxNewTokens) {
        return new GenerationSettings(1, 0.0, 1.0, maxNewTokens, 0L);
    }
}
