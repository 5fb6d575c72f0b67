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
}
