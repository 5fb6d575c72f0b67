package dev.mmalign.trainer.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.mmalign.api.plan.RecomputeSlicing;
import dev.mmalign.trainer.engine.ndarray.GradMode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

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
 * <p>Both the forward run and the recomputation take a block over at most {@link #sliceRows()} sequences at a time
 * (sequences never interact inside a block), so the largest transient — one block's intermediates with their
 * gradients — scales with the slice instead of the micro-batch. The weights' gradients of the slices add up to the
 * whole batch's; the input gradients are concatenated back in order.
 *
 * <p>One instance per micro-step and replica (not thread-safe); chains are recorded only while autograd is on, so
 * passes without gradients (DPO's reference) run lean and leave nothing to replay.
 */
public final class ActivationCheckpoints {
    /**
     * A block of a chain: maps its input (or a slice of its sequences) to its output. The block must slice whatever
     * per-sequence tensors it captured (positions, masks) to the same rows.
     */
    @FunctionalInterface
    public interface Block {
        NDArray apply(NDArray x, Rows rows);
    }

    /** Sequences {@code from} (inclusive) to {@code to} (exclusive) of a batch of {@code total}. */
    public record Rows(long from, long to, long total) {
        public static Rows all(long total) {
            return new Rows(0, total, total);
        }

        public boolean whole() {
            return from == 0 && to == total;
        }

        /**
         * These rows of a per-sequence tensor {@code t} (first dimension the batch); a tensor with a first dimension
         * of 1 broadcasts over the batch and is returned as is, as is every tensor when the rows are the whole batch.
         */
        public NDArray of(NDArray t) {
            if (whole() || t.getShape().get(0) == 1) {
                return t;
            }
            if (t.getShape().get(0) != total) {
                throw new IllegalArgumentException("per-sequence tensor of shape " + t.getShape() + " in a batch of "
                        + total);
            }
            return t.get(from + ":" + to);
        }
    }

    private record Chain(NDArray input, boolean inputInGraph, List<NDArray> blockInputs, List<Block> blocks,
            NDArray outputLeaf) {}

    private final Deque<Chain> chains = new ArrayDeque<>();
    private final int sliceRows;

    /** Slices of {@link RecomputeSlicing#DEFAULT_SEQUENCES}, what the memory planner assumes. */
    public ActivationCheckpoints() {
        this(RecomputeSlicing.DEFAULT_SEQUENCES);
    }

    /** @param sliceRows sequences per slice of a block's forward run and recomputation (at least 1) */
    public ActivationCheckpoints(int sliceRows) {
        if (sliceRows < 1) {
            throw new IllegalArgumentException("slice rows must be at least 1, got " + sliceRows);
        }
        this.sliceRows = sliceRows;
    }

    /** Sequences per slice of a block's forward run and recomputation. */
    public int sliceRows() {
        return sliceRows;
    }

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
    NDArray run(NDArray input, List<Block> blocks, boolean blocksTrained, boolean inputInGraph) {
        boolean record = (blocksTrained || inputInGraph) && GradMode.isOn();
        NDManager owner = input.getManager();
        List<NDArray> saved = new ArrayList<>();
        NDArray x = input;
        try (GradMode off = GradMode.set(false)) {
            for (Block block : blocks) {
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
                NDArray next = recompute(c.blocks().get(i), c.blockInputs().get(i), upstream, owner);
                upstream.close();
                upstream = next;
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

    /**
     * Recomputes one block with autograd from its saved input, slice by slice, backpropagates
     * {@code sum(block(x) · upstream)} into its weights and returns the gradient with respect to its input (on
     * {@code owner}).
     */
    private NDArray recompute(Block block, NDArray saved, NDArray upstream, NDManager owner) {
        long total = saved.getShape().get(0);
        NDList inputGradients = new NDList();
        for (long from = 0; from < total; from += sliceRows) {
            Rows rows = new Rows(from, Math.min(total, from + sliceRows), total);
            try (NDManager sliceManager = owner.newSubManager()) {
                NDArray view = rows.of(saved);
                if (view != saved) {
                    view.attach(sliceManager); // a view holds the saved input's memory until it is closed
                }
                NDArray x = view.stopGradient();
                x.attach(sliceManager);
                x.setRequiresGradient(true);
                NDArray y = block.apply(x, rows);
                NDArray up = rows.of(upstream);
                NDArray product = y.mul(up);
                if (up != upstream) {
                    up.attach(sliceManager);
                }
                backward(product.sum());
                NDArray gradient = x.getGradient();
                gradient.attach(owner);
                inputGradients.add(gradient);
            }
        }
        return joinSlices(inputGradients, owner);
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

    /** One block without autograd, slice by slice, each slice's intermediates freed as soon as it returns. */
    private NDArray runLean(NDArray in, Block block, NDManager owner) {
        long total = in.getShape().get(0);
        NDList outputs = new NDList();
        for (long from = 0; from < total; from += sliceRows) {
            Rows rows = new Rows(from, Math.min(total, from + sliceRows), total);
            try (NDManager sliceManager = owner.newSubManager()) {
                NDArray x = rows.of(in);
                x.attach(sliceManager); // ops return arrays on their operand's manager: the slice's
                try {
                    NDArray y = block.apply(x, rows);
                    y.attach(owner);
                    outputs.add(y);
                } finally {
                    in.attach(owner); // a whole-batch slice is the input itself: back before the slice's manager closes
                }
            }
        }
        return joinSlices(outputs, owner);
    }

    /** The per-slice results back in one batch on {@code owner}, in slice order; one slice is returned as it is. */
    private static NDArray joinSlices(NDList slices, NDManager owner) {
        if (slices.size() == 1) {
            return slices.singletonOrThrow();
        }
        NDArray joined = NDArrays.concat(slices, 0);
        joined.attach(owner);
        slices.close();
        return joined;
    }
}
