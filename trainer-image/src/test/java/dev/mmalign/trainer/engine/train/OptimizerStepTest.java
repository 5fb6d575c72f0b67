package dev.mmalign.trainer.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.mmalign.trainer.engine.model.ActivationCheckpoints;
import dev.mmalign.trainer.engine.ndarray.GradMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The optimiser step's per-array work split over threads ({@link OptimizerStep}) must give the bits one thread gives:
 * the reference here is the training loop's serial step written out (the copies' gradients summed into the first's,
 * {@link AdamW#gradientNorm}, {@link AdamW#step}, {@link AdamW#zeroGradients}, the arrays copied back to the other
 * copies). The gradients' per-array norms span ten orders of magnitude, so adding the squares in another order than
 * the parameters' would change the norm's last bits and, through clipping, every weight.
 */
class OptimizerStepTest {
    private static final long[][] SHAPES = {{7, 5}, {5}, {3, 4, 2}, {11}, {40, 8}, {1}, {6, 6}, {9}, {2, 2, 2, 2}};
    private static final double LR = 1e-2;
    private static final double MAX_NORM = 1.0;
    private static final double WEIGHT_DECAY = 0.1;

    @BeforeAll
    static void loadEngine() {
        Engine.getEngine("PyTorch"); // before the first grad-mode switch
    }

    @Test
    void splitOverTwoOrThreeThreadsGivesTheSerialBits() throws Exception {
        for (int copies : new int[] {2, 3}) {
            Trace serial = run(copies, 0);
            assertTrue(serial.norms().stream().anyMatch(n -> n > MAX_NORM), "some steps are clipped");
            assertTrue(serial.norms().stream().anyMatch(n -> n < MAX_NORM), "some are not");
            assertTrue(serial.norms().stream().anyMatch(n -> !Double.isFinite(n)), "one is skipped");
            for (int threads : new int[] {1, 2, 3}) {
                Trace split = run(copies, threads);
                assertEquals(serial.norms(), split.norms(), copies + " copies, " + threads + " threads: norms");
                for (String name : serial.arrays().keySet()) {
                    assertArrayEquals(serial.arrays().get(name), split.arrays().get(name),
                            copies + " copies, " + threads + " threads: " + name);
                }
            }
        }
    }

    @Test
    void oneThreadRunsOnTheCallerWithGradModeOnAndRestoresIt() {
        try (GradMode on = GradMode.set(true); Copies c = new Copies(1)) {
            OptimizerStep step = new OptimizerStep(c.optimizer, c.trainables(), c.managers.get(0), null, 1);
            assertEquals(1, step.parts().size());
            c.setGradients(new Random(3), 0);
            double norm = step.sumGradientsAndNorm();
            step.updateAndBroadcast(c.optimizer.begin(LR, norm, MAX_NORM));
            assertTrue(GradMode.isOn(), "the caller's mode is back");
        }
    }

    @Test
    void poolThreadsKeepTheirGradModeAndNoArrayOutlivesAStep() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Copies c = new Copies(2)) {
            OptimizerStep step = new OptimizerStep(c.optimizer, c.trainables(), c.managers.get(0), pool, 2);
            List<Integer> live = new ArrayList<>();
            Random random = new Random(5);
            for (int s = 0; s < 4; s++) {
                c.setGradients(random, s);
                double norm = step.sumGradientsAndNorm();
                step.updateAndBroadcast(Double.isFinite(norm) ? c.optimizer.begin(LR, norm, MAX_NORM) : null);
                live.add(((BaseNDManager) c.managers.get(0)).getManagedArrays().size()
                        + ((BaseNDManager) c.managers.get(1)).getManagedArrays().size());
            }
            assertEquals(1, live.stream().distinct().count(), "live arrays after each step: " + live);
            for (int t = 0; t < 4; t++) {
                assertTrue(pool.submit(GradMode::isOn).get(), "a pool thread's own mode (on) is back");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void everyArrayIsInExactlyOnePartInParameterOrder() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            long[] sizes = {49_152, 64, 64, 8192, 8192, 16_640, 128, 4096, 64, 1, 8192, 64, 64, 4096, 4096};
            for (int i = 0; i < sizes.length; i++) {
                arrays.put("a" + i, m.zeros(new Shape(sizes[i])));
            }
            List<AdamW.Param> params = new AdamW(m, arrays, 0).params();
            for (int count = 1; count <= 20; count++) {
                List<List<AdamW.Param>> parts = OptimizerStep.partition(params, count);
                assertEquals(Math.min(count, params.size()), parts.size(), count + " parts");
                Set<String> seen = new HashSet<>();
                for (List<AdamW.Param> part : parts) {
                    assertTrue(!part.isEmpty(), "no empty part of " + count);
                    for (int i = 0; i < part.size(); i++) {
                        assertTrue(seen.add(part.get(i).name()), part.get(i).name() + " in two parts of " + count);
                        if (i > 0) {
                            assertTrue(params.indexOf(part.get(i - 1)) < params.indexOf(part.get(i)), "order");
                        }
                    }
                }
                assertEquals(arrays.keySet(), seen, "every array in one of " + count + " parts");
                assertEquals(parts, OptimizerStep.partition(params, count), "the same split every time");
                // Balanced by cost, not by count: no part is heavier than the lightest by more than one array.
                long heaviest = 0;
                long lightest = Long.MAX_VALUE;
                for (List<AdamW.Param> part : parts) {
                    long cost = 0;
                    for (AdamW.Param p : part) {
                        cost += p.value().size() + OptimizerStep.ARRAY_COST;
                    }
                    heaviest = Math.max(heaviest, cost);
                    lightest = Math.min(lightest, cost);
                }
                assertTrue(heaviest - lightest <= 49_152 + OptimizerStep.ARRAY_COST, count + " parts: " + heaviest
                        + " against " + lightest);
            }
            assertThrows(IllegalArgumentException.class, () -> OptimizerStep.partition(params, 0));
        }
    }

    /** The norms of every step and the final bits of every copy's arrays and of AdamW's moments. */
    private record Trace(List<Double> norms, Map<String, float[]> arrays) {}

    /** Six steps on {@code copies} model copies: serially as the loop used to (threads 0) or split over a pool. */
    private static Trace run(int copies, int threads) throws Exception {
        ExecutorService pool = threads == 0 ? null : Executors.newFixedThreadPool(threads);
        try (GradMode off = GradMode.set(false); Copies c = new Copies(copies)) {
            OptimizerStep split = pool == null ? null
                    : new OptimizerStep(c.optimizer, c.trainables(), c.managers.get(0), pool, threads);
            assertTrue(split == null || split.parts().size() == threads);
            List<Double> norms = new ArrayList<>();
            Random random = new Random(11);
            for (int s = 0; s < 6; s++) {
                c.setGradients(random, s);
                double norm;
                if (split == null) {
                    norm = c.serialStep();
                } else {
                    norm = split.sumGradientsAndNorm();
                    split.updateAndBroadcast(Double.isFinite(norm) ? c.optimizer.begin(LR, norm, MAX_NORM) : null);
                }
                norms.add(norm);
                for (Map<String, NDArray> copy : c.trainables()) {
                    for (NDArray a : copy.values()) {
                        assertEquals(0f, a.getGradient().abs().sum().getFloat(), "gradients zeroed after the step");
                    }
                }
            }
            Map<String, float[]> arrays = new LinkedHashMap<>();
            for (int r = 0; r < copies; r++) {
                for (Map.Entry<String, NDArray> e : c.trainables().get(r).entrySet()) {
                    arrays.put(r + "/" + e.getKey(), e.getValue().toFloatArray());
                }
            }
            for (AdamW.Param p : c.optimizer.params()) {
                arrays.put("exp_avg/" + p.name(), p.expAvg().toFloatArray());
                arrays.put("exp_avg_sq/" + p.name(), p.expAvgSq().toFloatArray());
            }
            return new Trace(norms, arrays);
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    /** Model copies with the same seeded arrays, the first with an AdamW; each copy on its own manager. */
    private static final class Copies implements AutoCloseable {
        final List<NDManager> managers = new ArrayList<>();
        final List<Map<String, NDArray>> arrays = new ArrayList<>();
        final AdamW optimizer;

        Copies(int count) {
            for (int r = 0; r < count; r++) {
                NDManager m = NDManager.newBaseManager();
                Random random = new Random(1);
                Map<String, NDArray> copy = new LinkedHashMap<>();
                for (int i = 0; i < SHAPES.length; i++) {
                    NDArray a = m.create(gaussian(random, SHAPES[i], 1f), new Shape(SHAPES[i]));
                    a.setRequiresGradient(true);
                    JniUtils.zeroGrad((PtNDArray) a);
                    copy.put("w" + i, a);
                }
                managers.add(m);
                arrays.add(copy);
            }
            optimizer = new AdamW(managers.get(0), arrays.get(0), WEIGHT_DECAY);
        }

        List<Map<String, NDArray>> trainables() {
            return arrays;
        }

        /**
         * Gives every copy's arrays seeded gradients (as a backward pass leaves them): array {@code i}'s scaled by
         * {@code 10^(i mod 5 - 2)}, all of step 1 by 1e-4 (unclipped), and a NaN in copy 1's at step 3 (skipped).
         */
        void setGradients(Random random, int step) {
            try (GradMode on = GradMode.set(true)) {
                for (int r = 0; r < arrays.size(); r++) {
                    int i = 0;
                    for (NDArray a : arrays.get(r).values()) {
                        float scale = (float) Math.pow(10, i % 5 - 2) * (step == 1 ? 1e-4f : 1f);
                        float[] g = gaussian(random, a.getShape().getShape(), scale);
                        if (step == 3 && r == 1 % arrays.size() && i == 2) {
                            g[0] = Float.NaN;
                        }
                        try (NDManager scratch = managers.get(r).newSubManager()) {
                            NDArray upstream = scratch.create(g, a.getShape());
                            // The gradient is upstream exactly; the products live on the scratch manager.
                            ActivationCheckpoints.backward(upstream.mul(a).sum());
                        }
                        i++;
                    }
                }
            }
        }

        /** The training loop's step before it was split over threads, on the calling thread. */
        double serialStep() {
            Map<String, NDArray> first = arrays.get(0);
            try (NDManager scratch = managers.get(0).newSubManager()) {
                for (Map.Entry<String, NDArray> e : first.entrySet()) {
                    NDArray sum = e.getValue().getGradient();
                    sum.attach(scratch);
                    for (int r = 1; r < arrays.size(); r++) {
                        NDArray a = arrays.get(r).get(e.getKey());
                        NDArray g = a.getGradient();
                        g.attach(scratch);
                        sum.addi(g);
                        JniUtils.zeroGrad((PtNDArray) a);
                    }
                }
                double norm = optimizer.gradientNorm(scratch);
                if (Double.isFinite(norm)) {
                    optimizer.step(scratch, LR, norm, MAX_NORM);
                }
                optimizer.zeroGradients();
                for (int r = 1; r < arrays.size(); r++) {
                    for (Map.Entry<String, NDArray> e : first.entrySet()) {
                        NDArray copy = e.getValue().duplicate();
                        copy.attach(scratch);
                        arrays.get(r).get(e.getKey()).set(new NDIndex("..."), copy);
                    }
                }
                return norm;
            }
        }

        @Override
        public void close() {
            for (NDManager m : managers) {
                m.close();
            }
        }
    }

    private static float[] gaussian(Random random, long[] shape, float scale) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] out = new float[(int) n];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) random.nextGaussian() * scale;
        }
        return out;
    }
}
