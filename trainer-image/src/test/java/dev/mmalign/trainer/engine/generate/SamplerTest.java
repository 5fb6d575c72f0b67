package dev.mmalign.trainer.engine.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The primitive sort of {@link Sampler} must pick exactly the tokens the boxed comparator sort picked. */
class SamplerTest {

    /** The order the sampler used before: a stable sort of boxed ids by falling probability. */
    private static int[] boxedOrder(double[] p) {
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < p.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
    }

    @Test
    void sortMatchesTheBoxedStableSortIncludingTiesZerosAndNaN() {
        Random rnd = new Random(11);
        for (int trial = 0; trial < 2000; trial++) {
            int n = 1 + rnd.nextInt(trial % 3 == 0 ? 40 : 600);
            double[] p = new double[n];
            // Odd trials may hold NaN and -0.0 (the comparator path); even ones only what exp gives (the fast path).
            boolean special = trial % 2 == 1;
            for (int i = 0; i < n; i++) {
                int kind = rnd.nextInt(10);
                if (!special && (kind == 1 || kind == 3)) {
                    kind = 0;
                }
                p[i] = switch (kind) {
                    case 0 -> 0.0;
                    case 1 -> -0.0;
                    case 2 -> 0.25; // ties
                    case 3 -> Double.NaN;
                    case 4 -> rnd.nextInt(4) / 8.0; // more ties
                    default -> rnd.nextDouble();
                };
            }
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Sampler.sortByProbability(order, p);
            assertArrayEquals(boxedOrder(p), order, "trial " + trial);
        }
    }

    /** The sampler as it was before the primitive sort, kept here as the reference. */
    private static int referenceSample(float[] logits, int offset, int vocab, double temperature, double topP,
            Random rnd) {
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
        for (int i = 0; i < vocab; i++) {
            p[i] /= sum;
        }
        int[] order = boxedOrder(p);
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

    @Test
    void samplesTheSameTokensAsBeforeForManySeedsTemperaturesAndTopP() {
        Random data = new Random(5);
        int vocab = 260;
        double[][] settings = {{1.0, 1.0}, {0.7, 0.9}, {1.3, 0.5}, {1.0, 0.0}};
        for (int trial = 0; trial < 300; trial++) {
            float[] logits = new float[2 * vocab];
            for (int i = 0; i < logits.length; i++) {
                // Rounded logits give equal probabilities now and then, where the tie order matters.
                logits[i] = Math.round(data.nextGaussian() * 3 * 4) / 4f;
            }
            for (double[] s : settings) {
                for (int row = 0; row < 2; row++) {
                    long seed = trial * 31L + row;
                    int expected = referenceSample(logits, row * vocab, vocab, s[0], s[1], new Random(seed));
                    int actual = Sampler.sample(logits, row * vocab, vocab, s[0], s[1], new Random(seed));
                    assertEquals(expected, actual, "trial " + trial + " settings " + Arrays.toString(s));
                }
            }
        }
    }
}
