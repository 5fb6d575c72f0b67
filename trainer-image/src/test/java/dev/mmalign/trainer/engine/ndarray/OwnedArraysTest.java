package dev.mmalign.trainer.engine.ndarray;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * Guards the memory rule of {@link OwnedArrays}: data that libtorch still needs after the Java wrapper is gone (a
 * constant saved by autograd, the storage of a view) must survive a garbage collection. DJL's own shortcuts
 * ({@code x.mul(2f)}, {@code set(float[])}) borrow Java memory that the collector frees; these helpers must not.
 */
class OwnedArraysTest {

    /** A full collection plus time for the Reference Handler to run the direct buffers' Cleaners (free()). */
    static void collectGarbage() throws InterruptedException {
        for (int i = 0; i < 2; i++) {
            System.gc();
            Thread.sleep(20);
        }
    }

    @Test
    void aScalarSavedByAutogradSurvivesACollectionBeforeBackward() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = OwnedArrays.of(m, new float[] {1f, 2f, 3f}, new Shape(3));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                // d/dx sum(x * 2.5 * x^-0.5... ) uses both constants in backward: mul saves 2.5, pow saves -0.5.
                NDArray y = x.mul(OwnedArrays.scalar(x, 2.5f)).mul(x.pow(OwnedArrays.scalar(x, -0.5f))).sum();
                collectGarbage();
                gc.backward(y);
            }
            // y = 2.5 * sqrt(x) → dy/dx = 1.25 / sqrt(x)
            float[] g = x.getGradient().toFloatArray();
            for (int i = 0; i < 3; i++) {
                assertEquals(1.25 / Math.sqrt(i + 1), g[i], 1e-6, "gradient " + i);
            }
        }
    }

    @Test
    void copyIntoWritesIntoTheArraysOwnStorage() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray target = m.zeros(new Shape(2, 3));
            float[] data = {1, 2, 3, 4, 5, 6};
            OwnedArrays.copyInto(target, data);
            assertArrayEquals(data, target.toFloatArray());
            // A view shares the storage; it must stay valid after the array itself is closed and memory collected.
            // (After DJL's set(float[]) the storage would be a Java buffer freed with the closed array.)
            NDArray view = target.reshape(6);
            view.attach(m);
            target.close();
            collectGarbage();
            for (int i = 0; i < 50; i++) {
                m.create(new float[64]).close(); // reuse freed blocks
            }
            assertArrayEquals(data, view.toFloatArray());
        }
    }
}
