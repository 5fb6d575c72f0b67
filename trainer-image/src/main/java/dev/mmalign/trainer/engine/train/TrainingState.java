package dev.mmalign.trainer.engine.train;

import java.util.List;

/**
 * Position of a run, stored in a checkpoint's trainer_state.json. All randomness derives from the seed:
 * epoch e's data order from shuffleSeed(seed, e), optimiser step s's dropout from the engine seed
 * torchSeed(seed, s); so (seed, step) is the complete RNG state and resuming reproduces it exactly.
 *
 * @param step optimiser steps completed
 * @param epoch epoch of the next step
 * @param microBatch index within that epoch's shuffled order of the next micro-batch (the data position)
 * @param losses the loss of each step done, in order (like the loss entries of a Hugging Face trainer_state.json's
 *     log_history), so that a resumed run reports its whole history; null in checkpoints written before it was kept
 */
public record TrainingState(int step, int epoch, int microBatch, long seed, int totalSteps,
        long nextTorchSeed, long shuffleSeed, List<Double> losses) {

    static long shuffleSeed(long seed, int epoch) {
        return seed * 1_000_003L + epoch;
    }

    static int torchSeed(long seed, int step) {
        return (int) ((seed * 31 + step) & 0x7fffffff);
    }
}
