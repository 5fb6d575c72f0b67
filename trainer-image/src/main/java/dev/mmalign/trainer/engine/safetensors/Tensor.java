package dev.mmalign.trainer.engine.safetensors;

import java.util.Arrays;

/**
 * A named host tensor in float32 (whatever its dtype on disk) with its shape. The storage dtype is kept
 * so that a loaded checkpoint can be written back in the same precision.
 */
public record Tensor(float[] data, long[] shape, DType dtype) {
    public Tensor {
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
                    + " values, got " + data.length);
        }
    }

    public static Tensor f32(float[] data, long... shape) {
        return new Tensor(data, shape, DType.F32);
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
