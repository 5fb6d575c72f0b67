package dev.mmalign.trainer.engine.generate;

import java.util.Arrays;
import java.util.Random;

/** Picks the next token from one row of logits: greedy, or temperature + top-p (nucleus) sampling. */
final class Sampler {
    private Sampler() {}

    static int sample(float[] logits, int offset, int vocab, double temperature, double topP, Random rnd) {
        if (temperature <= 0) {
            int best = 0;
            for (int i = 1; i < vocab; i++) {
                if (logits[offset + i] > logits[offset + best]) {
                    best = i;
                }
            }
            return best;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[offset + i] / temperature);
        }
        double[] p = new double[vocab];
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            p[i] = Math.exp(logits[offset + i] / temperature - max);
            sum += p[i];
        }
        int[] order = new int[vocab];
        for (int i = 0; i < vocab; i++) {
            order[i] = i;
            p[i] /= sum;
        }
        sortByProbability(order, p);
        // Keep the smallest prefix of most likely tokens whose mass reaches topP (always at least one).
        double kept = 0;
        int n = 0;
        while (n < vocab && (n == 0 || kept < topP)) {
            kept += p[order[n]];
            n++;
        }
        double r = rnd.nextDouble() * kept;
        for (int i = 0; i < n; i++) {
            r -= p[order[i]];
            if (r <= 0) {
                return order[i];
            }
        }
        return order[n - 1];
    }

    /**
     * Sorts token ids by falling probability, equal probabilities by rising id: exactly the order of a stable sort of
     * 0..n-1 by {@code Double.compare(p[b], p[a])}, which is what this replaced ({@code Arrays.sort} of boxed ids with a
     * comparator, some 13 % of a sample stage's CPU). Since (probability, id) is a total order, any correct sort gives
     * the same permutation; this one is a merge sort with insertion-sorted runs over primitives, comparing with plain
     * {@code >} and {@code ==} (small enough for the pods' C1 compiler to inline), which order doubles as
     * {@code Double.compare} does unless one is NaN or -0.0. Neither comes from exp over a positive sum, but NaN logits
     * would give NaN probabilities: then the comparator sort runs as before.
     */
    static void sortByProbability(int[] order, double[] p) {
        for (double v : p) {
            if (!(v >= 0) || Double.doubleToRawLongBits(v) == NEGATIVE_ZERO) {
                comparatorSort(order, p);
                return;
            }
        }
        int n = order.length;
        int[] scratch = new int[n];
        for (int from = 0; from < n; from += RUN) {
            insertionSort(order, p, from, Math.min(n, from + RUN));
        }
        int[] src = order;
        int[] dst = scratch;
        for (int width = RUN; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                merge(src, dst, p, lo, Math.min(n, lo + width), Math.min(n, lo + 2 * width));
            }
            int[] t = src;
            src = dst;
            dst = t;
        }
        if (src != order) {
            System.arraycopy(src, 0, order, 0, n);
        }
    }

    private static final long NEGATIVE_ZERO = Double.doubleToRawLongBits(-0.0);

    /** The sort this class used before, for probabilities with NaN or -0.0. */
    private static void comparatorSort(int[] order, double[] p) {
        Integer[] boxed = new Integer[order.length];
        for (int i = 0; i < order.length; i++) {
            boxed[i] = order[i];
        }
        Arrays.sort(boxed, (a, b) -> Double.compare(p[b], p[a]));
        for (int i = 0; i < order.length; i++) {
            order[i] = boxed[i];
        }
    }

    private static final int RUN = 16;

    /** Whether token a comes before token b: higher probability first, ties by lower id (no NaN or -0.0 here). */
    private static boolean before(int a, int b, double[] p) {
        double pa = p[a];
        double pb = p[b];
        return pa > pb || (pa == pb && a < b);
    }

    private static void insertionSort(int[] a, double[] p, int from, int to) {
        for (int i = from + 1; i < to; i++) {
            int v = a[i];
            int j = i - 1;
            while (j >= from && before(v, a[j], p)) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = v;
        }
    }

    private static void merge(int[] src, int[] dst, double[] p, int lo, int mid, int hi) {
        int i = lo;
        int j = mid;
        for (int k = lo; k < hi; k++) {
            if (i < mid && (j >= hi || !before(src[j], src[i], p))) {
                dst[k] = src[i++];
            } else {
                dst[k] = src[j++];
            }
        }
    }
}
