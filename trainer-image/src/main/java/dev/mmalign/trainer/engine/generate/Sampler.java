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
        Integer[] order = new Integer[vocab];
        for (int i = 0; i < vocab; i++) {
            order[i] = i;
            p[i] /= sum;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
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
}
