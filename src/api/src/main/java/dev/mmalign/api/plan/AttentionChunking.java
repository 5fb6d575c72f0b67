package dev.mmalign.api.plan;

/**
 * How the trainer's engine attends, shared by the engine (trainer-image's LlavaModel) and the memory planner so the
 * plan models what the engine does by default.
 */
public final class AttentionChunking {
    /**
     * Query rows per attention slice: longer sequences are attended to in slices of this many rows (LLaVA-1.5's 876
     * positions make 4 slices). Each slice's score, scaled and masked scores are freed as soon as the next op has
     * read them; autograd keeps only each slice's softmax output (what the backward pass of softmax and of the
     * product with v needs), and a pass without autograd keeps none.
     */
    public static final int DEFAULT_QUERY_ROWS = 256;

    private AttentionChunking() {}
}
