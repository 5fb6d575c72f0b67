package dev.mmalign.api.plan;

/**
 * How the trainer's engine runs activation-checkpointed blocks, shared by the engine (trainer-image's
 * ActivationCheckpoints and LlavaModel) and the memory planner so the plan models what the engine does.
 */
public final class RecomputeSlicing {
    /**
     * Sequences per slice: a checkpointed block runs (forward without autograd, and recomputed with autograd in the
     * backward pass) on at most this many sequences at a time, so one block's intermediates and gradients scale with
     * the slice, not the micro-batch (the paper's 8 DPO pairs are 16 sequences: 4 slices). Each sequence is
     * independent inside a block, so the result is the same. LoRA dropout draws its mask per group of this many
     * sequences, with and without checkpointing, so a slice's recomputation draws exactly the mask its forward pass
     * drew.
     */
    public static final int DEFAULT_SEQUENCES = 4;

    private RecomputeSlicing() {}
}
