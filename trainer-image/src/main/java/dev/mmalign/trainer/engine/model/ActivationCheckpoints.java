package dev.mmalign.trainer.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Activation checkpointing for chains of transformer blocks, by the vector–Jacobian trick (DJL has no custom autograd
 * functions). The forward pass runs each block without autograd in its own sub-manager, so a block's intermediates are
 * freed as soon as it returns, and keeps only the block inputs; the chain's output becomes a fresh leaf that requires a
 * gradient, so the loss's backward pass stops there. {@link #backward} then walks the chains last first: for each block
 * from the last it recomputes the block with autograd from its saved input {@code x} and backpropagates
 * {@code sum(block(x) · upstream)}, whose gradient with respect to the block's weights and {@code x} is exactly the
 * vector–Jacobian product the full graph would have produced; {@code x}'s gradient is the next block's upstream. Last,
 * {@code sum(chainInput · upstream)} carries the gradient into whatever graph produced the chain's input (e.g. the
 * projector, and through it the vision chain's output leaf). Gradients accumulate into the weights, as with one
 * backward pass.
 *
 * <p>One instance per micro-step and replica (not thread-safe); chains are recorded only while autograd is on, so
 * passes without gradients (DPO's reference) run lean and leave nothing to replay.
 */
public final class ActivationCheckpoints {
    private record Chain(NDArray input, boolean inputInGraph, List<NDArray> blockInputs,
            List<UnaryOperator<NDArray>> blocks, NDArray outputLeaf) {}

    private final Deque<Chain> chains = new ArrayDeque<>();

    /**
     * Runs {@code blocks} on {@code input} and returns their output. With autograd on and {@code needsGradient}, the
     * chain is recorded for {@link #backward} and the output is a leaf requiring a gradient; otherwise the blocks just
     * run without autograd, each in its own sub-manager.
     *
     * @param blocksTrained whether anything in the blocks is trained
     * @param inputInGraph whether anything before the blocks is trained, so that {@code input} was computed by recorded
     *     ops and the gradient must flow on into it (the caller knows: DJL's {@code hasGradient()} says false for
     *     every non-leaf array, and asking libtorch for a missing gradient function crashes the JVM)
     */
    NDArray run(NDArray input, List<UnaryOperator<NDArray>> blocks, boolean blocksTrained, boolean inputInGraph) {
        boolean gradBefore = JniUtils.isGradMode();
        boolean record = (blocksTrained || inputInGraph) && gradBefore;
        NDManager owner = input.getManager();
        List<NDArray> saved = new ArrayList<>();
        NDArray x = input;
        JniUtils.setGradMode(false);
        try {
            for (UnaryOperator<NDArray> block : blocks) {
                NDArray in = x.stopGradient();
                in.attach(owner);
                if (record) {
                    saved.add(in);
                }
                NDArray y = runLean(in, block, owner);
                if (!record && x != input) {
                    in.close(); // nothing will replay this block: its input can go
                    x.close();
                }
                x = y;
            }
        } finally {
            JniUtils.setGradMode(gradBefore);
        }
        if (!record) {
            return x;
        }
        NDArray leaf = x.stopGradient();
        leaf.attach(owner);
        leaf.setRequiresGradient(true);
        chains.push(new Chain(input, inputInGraph, saved, blocks, leaf));
        return leaf;
    }

    /**
     * Backpropagates through every recorded chain, the last recorded first. Call after the backward pass of the loss
     * (which filled the gradients of the chains' output leaves); grad mode must be on.
     */
    public void backward() {
        while (!chains.isEmpty()) {
            Chain c = chains.pop();
            NDManager owner = c.outputLeaf().getManager();
            NDArray upstream = c.outputLeaf().getGradient();
            upstream.attach(owner);
            for (int i = c.blocks().size() - 1; i >= 0; i--) {
                try (NDManager blockManager = owner.newSubManager()) {
                    NDArray x = c.blockInputs().get(i).stopGradient();
                    x.attach(blockManager);
                    x.setRequiresGradient(true);
                    NDArray y = c.blocks().get(i).apply(x);
                    backward(y.mul(upstream).sum());
                    NDArray next = x.getGradient();
                    next.attach(owner);
                    upstream.close();
                    upstream = next;
                }
                c.blockInputs().get(i).close(); // this block's saved input is no longer needed
            }
            if (c.inputInGraph()) {
                try (NDManager scratch = owner.newSubManager()) {
                    NDArray in = c.input();
                    NDArray product = in.mul(upstream);
                    product.attach(scratch);
                    NDArray sum = product.sum();
                    sum.attach(scratch);
                    backward(sum);
                }
            }
            upstream.close();
        }
    }

    /** Number of chains recorded and not yet replayed. */
    public int pending() {
        return chains.size();
    }

    /** One backward pass from a scalar, without retaining the graph (no GradientCollector needed: see STACK.md). */
    public static void backward(NDArray scalar) {
        try (NDArray ones = scalar.onesLike()) {
            JniUtils.backward((PtNDArray) scalar, (PtNDArray) ones, false, false);
        }
    }

    private static NDArray runLean(NDArray in, UnaryOperator<NDArray> block, NDManager owner) {
        try (NDManager blockManager = owner.newSubManager()) {
            in.attach(blockManager);
            NDArray y = block.apply(in);
            y.attach(owner);
            in.attach(owner);
            return y;
        }
    }
}
