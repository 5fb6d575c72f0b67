package dev.mmalign.trainer.engine.train;

import dev.mmalign.trainer.engine.lora.LoraConfig;

/**
 * Everything a training run needs besides model and data (AlignmentRun spec.training/dpo/lora).
 * Defaults follow the paper's DPO recipe where it has one.
 */
public class TrainConfig {
    /** dpo | sft (rejection sampling and SteerLM are SFT on their own data). */
    public String method = "dpo";
    public double learningRate = 5e-5;
    public int epochs = 3;
    /** Examples (DPO: pairs) per micro-batch. */
    public int batchSize = 8;
    public int gradientAccumulation = 4;
    /** Text tokens per sequence (prompt + response); responses are truncated, never prompts. */
    public int maxLength = 300;
    public double warmupRatio = 0.03;
    /** cosine | linear | constant */
    public String scheduler = "cosine";
    public double weightDecay = 0.0;
    public double maxGradNorm = 1.0;
    public long seed = 42;
    /** Save a checkpoint every N optimiser steps; 0 = only on stop and at the end. */
    public int checkpointEvery = 0;
    /** Keep at most this many checkpoints (oldest removed); 0 = keep all. */
    public int keepCheckpoints = 2;
    /** fp32 (CPU) | bf16 (not supported by the CPU engine: rejected with a clear error). */
    public String precision = "fp32";
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
