package dev.mmalign.trainer.engine.ndarray;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Arrays from Java data whose memory libtorch owns. Every way DJL 0.36 has of turning Java data into a CPU tensor
 * borrows memory instead of copying it:
 * <ul>
 *   <li>{@code NDManager.create(float[] …)} wraps a direct ByteBuffer with {@code torch::from_blob};</li>
 *   <li>every op with a Java number operand ({@code x.mul(0.5f)}, {@code x.pow(-0.5f)}, {@code x.div(n)}, …) does the
 *       same for the number, runs the op and closes that scalar array at once;</li>
 *   <li>{@code NDArray.set(float[])} / {@code copyTo} replace the tensor's storage with a direct ByteBuffer.</li>
 * </ul>
 * Such memory lives only as long as the one Java NDArray that references the buffer; the garbage collector's Cleaner
 * frees it (on another thread) once that object is closed or unreachable. Anything libtorch still holds onto then
 * reads freed memory — above all autograd, which saves the scalar operand of {@code mul}/{@code div}/{@code pow}/
 * {@code maximum} for the backward pass. Whenever a collection ran between a forward and its backward, the gradients
 * were computed from garbage: run-to-run differences with fixed seeds and, now and then, NaN (the root cause of
 * issue #3; {@code DeterminismTest} reproduces it by forcing a collection before each backward).
 *
 * <p>Rule for engine code: build arrays from Java data with {@link #of}, write Java data into an existing array with
 * {@link #copyInto}, and use {@link #scalar} for constants in arithmetic that autograd may record. (Number operands
 * are harmless outside a GradientCollector, where the op reads them immediately and records nothing — AdamW's
 * in-place update relies on that.)
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

    /**
     * A 0-dim float32 constant on {@code like}'s manager, for {@code x.mul(scalar(x, 0.5f))} in place of
     * {@code x.mul(0.5f)}: autograd may keep it for the backward pass, and libtorch reference-counts this copy.
     */
    public static NDArray scalar(NDArray like, float value) {
        return of(like.getManager(), new float[] {value}, new Shape());
    }

    /** Copies {@code data} into {@code target} (same element count) with a libtorch copy into its own storage. */
    public static void copyInto(NDArray target, float[] data) {
        try (NDManager scratch = target.getManager().newSubManager()) {
            NDArray source = of(scratch, data, target.getShape());
            target.set(new NDIndex("..."), source);
        }
    }
}
