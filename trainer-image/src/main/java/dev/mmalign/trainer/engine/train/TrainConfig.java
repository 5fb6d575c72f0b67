package dev.mmalign.trainer.engine.train;

import dev.mmalign.trainer.engine.lora.LoraConfig;

/**
 * Everything a training run needs besides model and data (AlignmentRun spec.training/dpo/lora).
 * Defaults follow the paper's DPO recipe where it has one.
 */
public class TrainConfig {
    /** What is optimised; rejection sampling and SteerLM are SFT on their own data. */
    public enum Method {
        DPO, SFT;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Learning-rate decay after the warmup, as transformers' schedulers of the same names. */
    public enum Scheduler {
        COSINE, LINEAR, CONSTANT;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Training precision; the CPU engine trains in fp32 only and rejects the others up front. */
    public enum Precision {
        FP32, BF16, FP16;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Method method = Method.DPO;
    public double learningRate = 5e-5;
    public int epochs = 3;
    /** Examples (DPO: pairs) per micro-batch. */
    public int batchSize = 8;
    public int gradientAccumulation = 4;
    /** Text tokens per sequence (prompt + response); responses are truncated, never prompts. */
    public int maxLength = 300;
    public double warmupRatio = 0.03;
    public Scheduler scheduler = Scheduler.COSINE;
    public double weightDecay = 0.0;
    public double maxGradNorm = 1.0;
    public long seed = 42;
    /** Save a checkpoint every N optimiser steps; 0 = only on stop and at the end. */
    public int checkpointEvery = 0;
    /** Keep at most this many checkpoints (oldest removed); 0 = keep all. */
    public int keepCheckpoints = 2;
    /** FP32 (CPU); BF16 and FP16 are not supported by the CPU engine: rejected with a clear error. */
    public Precision precision = Precision.FP32;
    /** Stop after this many optimiser steps (< 0: run all epochs). */
    public int maxSteps = -1;
    /**
     * Fail the run after this many optimiser steps in a row whose loss or gradient norm is NaN or infinite (each is
     * skipped without touching the weights). One such step can be a fluke; several in a row mean divergence.
     */
    public int maxNonFiniteSteps = 3;
    /** Null = full fine-tuning of all weights. */
    public LoraConfig lora = LoraConfig.of(128, 256);
    public DpoConfig dpo = new DpoConfig();
}
