package dev.mmalign.trainer.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.mmalign.trainer.engine.ndarray.GradMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The per-array work of one optimiser step over the model copies of a data-parallel or sharded training: the other
 * copies' gradients summed into the first's, the gradient norm, {@link AdamW}'s update, zeroed gradients, and the
 * updated arrays copied to the other copies. With a pool (one thread per copy, the one the copies' forward and
 * backward passes ran on) the arrays are split into fixed parts, one per thread, instead of leaving the work to the
 * calling thread while the others idle; without one (a single copy) everything runs on the calling thread.
 *
 * <p>The split changes no bit: each array goes through its own ops in the same order whichever thread runs them, and
 * the gradient norm adds the per-array norms in parameter order on the calling thread ({@link AdamW#norm}). Workers
 * run with grad mode off (in-place updates of leaves that require gradients), restoring their mode after; each part's
 * temporary arrays live on a manager it opens and closes itself.
 */
final class OptimizerStep {
    /**
     * The work of an array beyond its elements (one JNI call per op, about ten ops), in elements of the same cost: the
     * quickstart's arrays are small (64 to 49,152 elements), so the count of arrays matters as much as their size.
     */
    static final long ARRAY_COST = 4096;

    private final AdamW optimizer;
    private final List<Map<String, NDArray>> copies;
    private final NDManager scratchParent;
    private final ExecutorService pool;
    private final List<List<AdamW.Param>> parts;
    private final Map<AdamW.Param, Integer> index = new IdentityHashMap<>();

    /**
     * @param copies every copy's trained arrays by name, the optimiser's (copy 0) first
     * @param scratchParent the manager each part's temporary arrays come from (copy 0's)
     * @param pool the threads the work is split over, one part each; null to run everything on the calling thread
     * @param threads the pool's thread count (ignored without a pool)
     */
    OptimizerStep(AdamW optimizer, List<Map<String, NDArray>> copies, NDManager scratchParent, ExecutorService pool,
            int threads) {
        this.optimizer = optimizer;
        this.copies = copies;
        this.scratchParent = scratchParent;
        this.pool = pool;
        this.parts = partition(optimizer.params(), pool == null ? 1 : threads);
        for (int i = 0; i < optimizer.params().size(); i++) {
            index.put(optimizer.params().get(i), i);
        }
    }

    /**
     * Splits {@code params} into at most {@code count} parts of about equal cost (elements plus {@link #ARRAY_COST}
     * per array), every parameter in exactly one part, each part in parameter order; the same split every time.
     */
    static List<List<AdamW.Param>> partition(List<AdamW.Param> params, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("parts must be at least 1, got " + count);
        }
        // Largest first onto the part with the least cost so far (ties: the lower index), then back in order.
        List<Integer> bySize = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            bySize.add(i);
        }
        bySize.sort(Comparator.comparingLong((Integer i) -> -cost(params.get(i))).thenComparingInt(i -> i));
        long[] load = new long[Math.min(count, Math.max(1, params.size()))];
        List<List<Integer>> indices = new ArrayList<>();
        for (int p = 0; p < load.length; p++) {
            indices.add(new ArrayList<>());
        }
        for (int i : bySize) {
            int least = 0;
            for (int p = 1; p < load.length; p++) {
                if (load[p] < load[least]) {
                    least = p;
                }
            }
            load[least] += cost(params.get(i));
            indices.get(least).add(i);
        }
        List<List<AdamW.Param>> parts = new ArrayList<>();
        for (List<Integer> part : indices) {
            part.sort(null);
            List<AdamW.Param> ps = new ArrayList<>();
            for (int i : part) {
                ps.add(params.get(i));
            }
            parts.add(List.copyOf(ps));
        }
        return List.copyOf(parts);
    }

    private static long cost(AdamW.Param p) {
        return p.value().size() + ARRAY_COST;
    }

    List<List<AdamW.Param>> parts() {
        return parts;
    }

    /**
     * Sums every other copy's gradients into the first copy's (moved to its device) and zeroes theirs, then returns
     * the L2 norm of the summed gradients (NaN or infinite when any is).
     */
    double sumGradientsAndNorm() {
        float[] norms = new float[index.size()]; // each part writes its own slots; awaiting the parts publishes them
        forEachPart((part, scratch) -> {
            for (AdamW.Param p : part) {
                sumIntoFirst(p, scratch);
                norms[index.get(p)] = AdamW.arrayNorm(scratch, p);
            }
        });
        return AdamW.norm(norms);
    }

    /**
     * Applies {@code step} ({@link AdamW#begin}; null to skip the update), zeroes the first copy's gradients either
     * way, and copies the first copy's arrays into every other copy, so all hold the same weights.
     */
    void updateAndBroadcast(AdamW.Step step) {
        forEachPart((part, scratch) -> {
            if (step != null) {
                optimizer.update(scratch, step, part);
            }
            AdamW.zeroGradients(part);
            broadcast(part, scratch);
        });
    }

    private void sumIntoFirst(AdamW.Param p, NDManager scratch) {
        if (copies.size() == 1) {
            return;
        }
        NDArray sum = p.value().getGradient();
        sum.attach(scratch);
        for (int r = 1; r < copies.size(); r++) {
            NDArray a = copies.get(r).get(p.name());
            NDArray g = a.getGradient();
            g.attach(scratch);
            NDArray moved = g.toDevice(sum.getDevice(), false);
            moved.attach(scratch);
            sum.addi(moved); // in place: the gradient tensor of the first copy's array
            JniUtils.zeroGrad((PtNDArray) a);
        }
    }

    private void broadcast(List<AdamW.Param> part, NDManager scratch) {
        for (int r = 1; r < copies.size(); r++) {
            Map<String, NDArray> target = copies.get(r);
            for (AdamW.Param p : part) {
                NDArray into = target.get(p.name());
                NDArray moved = p.value().toDevice(into.getDevice(), true);
                moved.attach(scratch);
                into.set(new NDIndex("..."), moved);
            }
        }
    }

    /** One part's work, given the manager its temporary arrays go to. */
    private interface PartWork {
        void run(List<AdamW.Param> part, NDManager scratch);
    }

    /** Runs {@code work} on every part, each on its own pool thread (or all here), and waits for all of them. */
    private void forEachPart(PartWork work) {
        Consumer<List<AdamW.Param>> one = part -> {
            try (GradMode off = GradMode.set(false); NDManager scratch = scratchParent.newSubManager()) {
                work.run(part, scratch);
            }
        };
        if (pool == null) {
            one.accept(parts.get(0));
            return;
        }
        List<Future<Void>> futures = new ArrayList<>();
        for (List<AdamW.Param> part : parts) {
            futures.add(pool.submit(() -> {
                one.accept(part);
                return null;
            }));
        }
        Throwable failure = TrainingLoop.awaitAll(futures, new ArrayList<>());
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }
}
