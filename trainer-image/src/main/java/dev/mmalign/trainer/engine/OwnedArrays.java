package dev.mmalign.trainer.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Creates NDArrays from Java arrays in memory that libtorch owns.
 *
 * <p>Why: on CPU, DJL's {@code NDManager.create(float[] ...)} wraps a direct ByteBuffer with {@code torch::from_blob}
 * (no copy); the tensor's storage is that Java buffer, kept alive only by the Java NDArray object. Views of the
 * tensor, tensors saved by autograd, or anything else that still points at that storage after the NDArray is closed
 * read memory the garbage collector may already have freed — which shows up as run-to-run differences with fixed
 * seeds and, now and then, NaN losses. A copy made by libtorch ({@code duplicate()}) has storage that libtorch
 * reference-counts like any other tensor.
 *
 * <p>The same holds for DJL's arithmetic with a Java number ({@code x.mul(2f)}, {@code x.pow(-0.5f)}, {@code x.div(n)}):
 * DJL wraps the number in a from_blob scalar tensor, runs the op and closes the scalar at once. The op's result is
 * fine, but autograd keeps the scalar for the backward pass (d(x·s)/dx = s), reading Java memory that the garbage
 * collector frees whenever it runs — so, depending on GC timing and thus machine load, a backward pass now and then
 * multiplied by garbage: run-to-run loss differences and NaN/Inf gradients with a finite loss. Differentiable code
 * therefore takes its constants from {@link #scalar}, a 0-d tensor made by libtorch ({@code torch::full}).
 */
public final class OwnedArrays {

    private OwnedArrays() {}

    public static NDArray of(NDManager manager, float[] data, Shape shape) {
        try (NDArray borrowed = manager.create(data, shape)) {
            return borrowed.duplicate();
        }
    }

    public static NDArray of(NDManager manager, long[] data, Shape shape) {
        try (NDArray borrowed = manager.create(data, shape)) {
            return borrowed.duplicate();
        }
    }

    public static NDArray of(NDManager manager, int[] data, Shape shape) {
        try (NDArray borrowed = manager.create(data, shape)) {
            return borrowed.duplicate();
        }
    }

    /** A 0-d tensor of {@code value} in libtorch memory, on {@code like}'s manager and with its data type. */
    public static NDArray scalar(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value, like.getDataType());
    }
}
