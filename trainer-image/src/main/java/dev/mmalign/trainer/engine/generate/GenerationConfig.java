package dev.mmalign.trainer.engine.generate;

/**
 * Sampling settings.
 *
 * @param temperature 0 = greedy
 * @param topP nucleus sampling mass (1 = off)
 * @param numSamples completions per prompt (the paper's K)
 * @param seed completions depend only on (seed, prompt index, sample index)
 * @param batchSize sequences decoded together (prompts × samples are flattened, then cut in batches)
 * @param useCache KV cache on (off only to measure its speedup)
 * @param stopAtEos false = always produce maxNewTokens (benchmarks)
 */
public record GenerationConfig(double temperature, double topP, int maxNewTokens, int numSamples, long seed,
        int batchSize, boolean useCache, boolean stopAtEos) {

    /** The paper's sampling: K = 4 at temperature 0.7. */
    public static GenerationConfig of(double temperature, double topP, int maxNewTokens, int numSamples,
            long seed) {
        return new GenerationConfig(temperature, topP, maxNewTokens, numSamples, seed, 8, true, true);
    }

    public GenerationConfig withCache(boolean on) {
        return new GenerationConfig(temperature, topP, maxNewTokens, numSamples, seed, batchSize, on, stopAtEos);
    }

    public GenerationConfig withBatchSize(int n) {
        return new GenerationConfig(temperature, topP, maxNewTokens, numSamples, seed, n, useCache, stopAtEos);
    }

    public GenerationConfig withStopAtEos(boolean stop) {
        return new GenerationConfig(temperature, topP, maxNewTokens, numSamples, seed, batchSize, useCache, stop);
    }
}
