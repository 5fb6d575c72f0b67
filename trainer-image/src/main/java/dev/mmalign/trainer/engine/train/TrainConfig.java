package dev.mmalign.trainer.engine.train;

import dev.mmalign.trainer.engine.lora.LoraConfig;

import java.util.Locale;

/**
 * Everything a training run needs besides model and data (AlignmentRun spec.training/dpo/lora), immutable: made with
 * {@link #builder()}, whose defaults follow the paper's DPO recipe where it has one, or changed with
 * {@link #toBuilder()}.
 *
 * @param method what is optimised (rejection sampling and SteerLM are SFT on their own data)
 * @param batchSize examples (DPO: pairs) per micro-batch
 * @param maxLength positions per sequence (prompt + response); responses are truncated, never prompts
 * @param checkpointEvery save a checkpoint every N optimiser steps; 0 = only on stop and at the end
 * @param keepCheckpoints keep at most this many checkpoints (oldest removed); 0 = keep all
 * @param precision how the base weights are stored (see {@link Precision}); computation is fp32 either way
 * @param maxSteps stop after this many optimiser steps (&lt; 0: run all epochs)
 * @param maxNonFiniteSteps fail the run after this many optimiser steps in a row whose loss or gradient norm is NaN or
 *     infinite (each is skipped without touching the weights). One such step can be a fluke; several in a row mean
 *     divergence.
 * @param activationCheckpointing keep only each vision and decoder block's input in the forward pass and recompute the
 *     block in the backward pass (about a third more compute, far less activation memory; gradients unchanged)
 * @param replicas data-parallel replicas (one per device): each optimiser step takes {@code replicas ·
 *     gradientAccumulation} micro-batches, split across the replicas, whose gradients are summed
 * @param batchShards threads each micro-batch is split over, one model copy each (CPU, one replica only, SFT only):
 *     the shards' losses are weighed by their share of the micro-batch's response tokens, so the step's loss and
 *     gradient are mathematically those of the whole micro-batch; the bits differ from 1 shard in the last places
 *     (the weight gradients are summed shard by shard), and are the same run to run for the same shard count
 * @param lora null = full fine-tuning of all weights
 */
public record TrainConfig(Method method, double learningRate, int epochs, int batchSize, int gradientAccumulation,
        int maxLength, double warmupRatio, Scheduler scheduler, double weightDecay, double maxGradNorm, long seed,
        int checkpointEvery, int keepCheckpoints, Precision precision, int maxSteps, int maxNonFiniteSteps,
        boolean activationCheckpointing, int replicas, int batchShards, LoraConfig lora, DpoConfig dpo) {

    /** What is optimised; rejection sampling and SteerLM are SFT on their own data. */
    public enum Method {
        DPO, SFT;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Learning-rate decay after the warmup, as transformers' schedulers of the same names. */
    public enum Scheduler {
        COSINE, LINEAR, CONSTANT;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What precision means in this engine (DJL 0.36 has no bfloat16 at all, so there is no BF16 here):
     * <ul>
     *   <li>FP32: every weight, activation, gradient and optimiser moment in fp32;</li>
     *   <li>FP16: the frozen base weights are stored on the device in fp16 (half the memory) and cast to fp32 at each
     *       use; activations, trainable weights (LoRA A/B, a trained projector, or all weights in full fine-tuning)
     *       and AdamW's moments stay fp32, and all arithmetic is fp32.</li>
     * </ul>
     */
    public enum Precision {
        FP32, FP16;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public TrainConfig {
        if (method == null || scheduler == null || precision == null || dpo == null) {
            throw new IllegalArgumentException("method, scheduler, precision and dpo are required");
        }
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be at least 1, got " + replicas);
        }
        if (batchShards < 1) {
            throw new IllegalArgumentException("batchShards must be at least 1, got " + batchShards);
        }
        if (batchShards > 1 && replicas > 1) {
            throw new IllegalArgumentException("batchShards > 1 splits a micro-batch over threads of one device;"
                    + " it cannot be combined with " + replicas + " replicas");
        }
        // A DPO loss with its SFT term is a mean over pairs plus a mean over tokens: no one share weighs a shard.
        if (batchShards > 1 && method != Method.SFT) {
            throw new IllegalArgumentException("batchShards > 1 is implemented for SFT only, not " + method);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().method(method).learningRate(learningRate).epochs(epochs).batchSize(batchSize)
                .gradientAccumulation(gradientAccumulation).maxLength(maxLength).warmupRatio(warmupRatio)
                .scheduler(scheduler).weightDecay(weightDecay).maxGradNorm(maxGradNorm).seed(seed)
                .checkpointEvery(checkpointEvery).keepCheckpoints(keepCheckpoints).precision(precision)
                .maxSteps(maxSteps).maxNonFiniteSteps(maxNonFiniteSteps)
                .activationCheckpointing(activationCheckpointing).replicas(replicas).batchShards(batchShards)
                .lora(lora).dpo(dpo);
    }

    public static final class Builder {
        private Method method = Method.DPO;
        private double learningRate = 5e-5;
        private int epochs = 3;
        private int batchSize = 8;
        private int gradientAccumulation = 4;
        private int maxLength = 300;
        private double warmupRatio = 0.03;
        private Scheduler scheduler = Scheduler.COSINE;
        private double weightDecay = 0.0;
        private double maxGradNorm = 1.0;
        private long seed = 42;
        private int checkpointEvery = 0;
        private int keepCheckpoints = 2;
        private Precision precision = Precision.FP32;
        private int maxSteps = -1;
        private int maxNonFiniteSteps = 3;
        private boolean activationCheckpointing = true;
        private int replicas = 1;
        private int batchShards = 1;
        private LoraConfig lora = LoraConfig.of(128, 256);
        private DpoConfig dpo = DpoConfig.builder().build();

        private Builder() {}

        public Builder method(Method v) { method = v; return this; }
        public Builder learningRate(double v) { learningRate = v; return this; }
        public Builder epochs(int v) { epochs = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder gradientAccumulation(int v) { gradientAccumulation = v; return this; }
        public Builder maxLength(int v) { maxLength = v; return this; }
        public Builder warmupRatio(double v) { warmupRatio = v; return this; }
        public Builder scheduler(Scheduler v) { scheduler = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder maxGradNorm(double v) { maxGradNorm = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder checkpointEvery(int v) { checkpointEvery = v; return this; }
        public Builder keepCheckpoints(int v) { keepCheckpoints = v; return this; }
        public Builder precision(Precision v) { precision = v; return this; }
        public Builder maxSteps(int v) { maxSteps = v; return this; }
        public Builder maxNonFiniteSteps(int v) { maxNonFiniteSteps = v; return this; }
        public Builder activationCheckpointing(boolean v) { activationCheckpointing = v; return this; }
        public Builder replicas(int v) { replicas = v; return this; }
        public Builder batchShards(int v) { batchShards = v; return this; }
        public Builder lora(LoraConfig v) { lora = v; return this; }
        public Builder dpo(DpoConfig v) { dpo = v; return this; }

        public TrainConfig build() {
            return new TrainConfig(method, learningRate, epochs, batchSize, gradientAccumulation, maxLength,
                    warmupRatio, scheduler, weightDecay, maxGradNorm, seed, checkpointEvery, keepCheckpoints,
                    precision, maxSteps, maxNonFiniteSteps, activationCheckpointing, replicas, batchShards, lora, dpo);
        }
    }
}
