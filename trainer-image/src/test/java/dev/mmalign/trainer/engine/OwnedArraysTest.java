package dev.mmalign.trainer.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Guards the root cause of the engine's run-to-run differences and NaN gradients: a constant that autograd keeps for
 * the backward pass must live in libtorch memory. Between forward and backward the test makes the garbage collector
 * run while direct buffers full of NaN bytes are allocated — what a busy JVM does between a step's forward and
 * backward passes — and then checks the gradients exactly.
 */
class OwnedArraysTest {

    private static final int ROUNDS = 60;

    @Test
    void constantsFromScalarSurviveGarbageCollectionBetweenForwardAndBackward() {
        float[] grads = gradientsAfterChurn((x, c) -> x.mul(OwnedArrays.scalar(x, c)));
        float[] expected = new float[grads.length];
        java.util.Arrays.fill(expected, 3f);
        assertArrayEquals(expected, grads, "d(3x)/dx is 3 in every round");
    }

    @Test
    void powerWithScalarExponentHasExactGradients() {
        // d(x^2)/dx = 2x at x = 1.5: the exponent is kept by autograd as well.
        float[] grads = gradientsAfterChurn((x, c) -> x.pow(OwnedArrays.scalar(x, 2)));
        float[] expected = new float[grads.length];
        java.util.Arrays.fill(expected, 3f);
        assertArrayEquals(expected, grads);
    }

    /** For each round: forward op(x, 3), GC + NaN-filled allocations, backward; the gradient at x = 1.5 per round. */
    private static float[] gradientsAfterChurn(BiFunction<NDArray, Double, NDArray> op) {
        float[] out = new float[ROUNDS];
        try (NDManager m = NDManager.newBaseManager()) {
            for (int round = 0; round < ROUNDS; round++) {
                try (NDManager step = m.newSubManager()) {
                    NDArray x = step.full(new Shape(4), 1.5f);
                    x.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray y = op.apply(x, 3.0).sum();
                        churn();
                        gc.backward(y);
                    }
                    out[round] = x.getGradient().toFloatArray()[0];
                }
            }
        }
        return out;
    }

    private static void churn() {
        System.gc();
        List<ByteBuffer> garbage = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(64);
            while (b.hasRemaining()) b.put((byte) 0xFF); // 0xFFFFFFFF is a NaN as float32
            garbage.add(b);
        }
        garbage.clear();
    }
}
