package dev.mmalign.trainer.engine.train;

/**
 * Position of a run, stored in a checkpoint's trainer_state.json. All randomness derives from the seed:
 * epoch e's data order from shuffleSeed(seed, e), optimiser step s's dropout from the engine seed
 * torchSeed(seed, s); so (seed, step) is the complete RNG state and resuming reproduces it exactly.
 *
 * @param step optimiser steps completed
 * @param epoch epoch of the next step
 * @param microBatch index within that epoch's shuffled order of the next micro-batch (the data position)
 */
public record TrainingState(int step, int epoch, int microBatch, long seed, int totalSteps,
        long nextTorchSeed, long shuffleSeed) {

    static long shuffleSeed(long seed, int epoch) {
        return seed * 1_000_003L + epoch;
    }

    static int torchSeed(long seed, int step) {
        return (int) ((seed * 31 + step) & 0x7fffffff);
    }
}
