package dev.mmalign.trainer.data;

/**
 * What judge calls for one prompt cost: every attempt counts (retries of malformed answers included), because every
 * attempt is billed.
 */
public record Usage(long requests, long inputTokens, long outputTokens, double usd) {

    public static final Usage NONE = new Usage(0, 0, 0, 0.0);

    public Usage plus(Usage other) {
        return new Usage(requests + other.requests, inputTokens + other.inputTokens,
                outputTokens + other.outputTokens, usd + other.usd);
    }
}
