package dev.mmalign.trainer.judge;

/**
 * Sampling parameters of one judge request. Annotation sends temperature 0 and no token cap; benchmarks send what
 * their official code sends, so that the same judge model gives comparable verdicts.
 *
 * @param temperature the sampling temperature
 * @param maxTokens   the reply's token cap, or null for none. Sent as {@code max_tokens} to OpenAI-compatible judges
 *                    (the API the official scripts call). Not sent to Vertex Gemini: its {@code maxOutputTokens}
 *                    also counts the thinking tokens of Gemini 2.5 models, so MM-Vet's cap of 3 would leave no answer.
 */
public record JudgeParameters(double temperature, Integer maxTokens) {

    /** Annotation: deterministic, uncapped (the rating JSON with its reasoning must not be cut off). */
    public static final JudgeParameters ANNOTATION = new JudgeParameters(0.0, null);

    public JudgeParameters {
        if (!(temperature >= 0.0) || (maxTokens != null && maxTokens < 1)) {
            throw new IllegalArgumentException("temperature >= 0 and maxTokens >= 1 or null");
        }
    }
}
