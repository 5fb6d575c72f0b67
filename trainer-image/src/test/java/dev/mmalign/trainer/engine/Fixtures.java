package dev.mmalign.trainer.engine;

import ai.djl.ndarray.NDManager;
import dev.mmalign.trainer.engine.data.Batch;
import dev.mmalign.trainer.engine.data.EncodedExample;
import dev.mmalign.trainer.engine.model.LlavaModel;
import dev.mmalign.trainer.engine.train.LogProbs;
import java.util.List;
import java.util.Random;

/** Shared helpers for the engine tests (tiny preset only, so every test runs in well under a second). */
public final class Fixtures {
    private Fixtures() {}

    public static float[] randomPixels(int size, long seed) {
        Random r = new Random(seed);
        float[] p = new float[3 * size * size];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) r.nextGaussian();
        }
        return p;
    }

    /** Logits [L, V] of one example, flattened row-major, plus the length. */
    public static float[] logits(LlavaModel model, NDManager parent, EncodedExample e) {
        try (NDManager m = parent.newSubManager()) {
            Batch b = Batch.build(m, model, List.of(e));
            return LogProbs.logits(model, b).toFloatArray();
        }
    }

    public static double maxAbsDiff(float[] a, float[] b, int from, int to) {
        double d = 0;
        for (int i = from; i < to; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }
}
