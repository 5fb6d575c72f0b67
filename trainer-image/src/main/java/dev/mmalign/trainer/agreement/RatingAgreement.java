package dev.mmalign.trainer.agreement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Agreement of two raters on one attribute over the same items, on the 0-4 scale (pure): exact-match rate,
 * within-one rate, Pearson and Spearman correlation (Spearman = Pearson of the ranks, tied values sharing their
 * average rank, the usual definition and scipy's default), and the 5×5 confusion matrix. A correlation is undefined
 * (null) when either side is constant or there are fewer than two items.
 */
public final class RatingAgreement {

    public static final int SCALE_MAX = 4;

    private final long n;
    private final double exactMatch;
    private final double withinOne;
    private final Double pearson;
    private final Double spearman;
    private final long[][] confusion;

    private RatingAgreement(long n, double exactMatch, double withinOne, Double pearson, Double spearman,
                            long[][] confusion) {
        this.n = n;
        this.exactMatch = exactMatch;
        this.withinOne = withinOne;
        this.pearson = pearson;
        this.spearman = spearman;
        this.confusion = confusion;
    }

    /** @param human the people's ratings; @param judge the judge's ratings of the same items, in the same order */
    public static RatingAgreement of(int[] human, int[] judge) {
        if (human.length != judge.length) {
            throw new IllegalArgumentException("ratings of different lengths: " + human.length + " and " + judge.length);
        }
        int n = human.length;
        long[][] confusion = new long[SCALE_MAX + 1][SCALE_MAX + 1];
        long exact = 0;
        long within = 0;
        for (int i = 0; i < n; i++) {
            if (human[i] < 0 || human[i] > SCALE_MAX || judge[i] < 0 || judge[i] > SCALE_MAX) {
                throw new IllegalArgumentException("rating outside 0-" + SCALE_MAX + " at item " + i);
            }
            confusion[human[i]][judge[i]]++;
            if (human[i] == judge[i]) exact++;
            if (Math.abs(human[i] - judge[i]) <= 1) within++;
        }
        double[] h = toDouble(human);
        double[] j = toDouble(judge);
        return new RatingAgreement(n, n == 0 ? Double.NaN : exact / (double) n,
                n == 0 ? Double.NaN : within / (double) n, pearson(h, j), pearson(averageRanks(h), averageRanks(j)),
                confusion);
    }

    public long n() {
        return n;
    }

    public double exactMatch() {
        return exactMatch;
    }

    public double withinOne() {
        return withinOne;
    }

    /** Null when undefined. */
    public Double pearson() {
        return pearson;
    }

    /** Null when undefined. */
    public Double spearman() {
        return spearman;
    }

    /** confusion[h][j]: items rated h by the person and j by the judge (a copy). */
    public List<List<Long>> confusion() {
        List<List<Long>> rows = new ArrayList<>();
        for (long[] row : confusion) rows.add(Arrays.stream(row).boxed().toList());
        return rows;
    }

    /** Pearson's r, or null when either side has no variance (or fewer than two values). */
    static Double pearson(double[] x, double[] y) {
        int n = x.length;
        if (n < 2) return null;
        double mx = Arrays.stream(x).average().orElse(0);
        double my = Arrays.stream(y).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            double dx = x[i] - mx;
            double dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (sxx == 0 || syy == 0) return null;
        return sxy / Math.sqrt(sxx * syy);
    }

    /** 1-based ranks, tied values sharing the mean of the ranks they span. */
    static double[] averageRanks(double[] values) {
        int n = values.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
        double[] ranks = new double[n];
        int start = 0;
        while (start < n) {
            int end = start;
            while (end + 1 < n && values[order[end + 1]] == values[order[start]]) end++;
            double rank = (start + end) / 2.0 + 1; // mean of ranks start+1 .. end+1
            for (int k = start; k <= end; k++) ranks[order[k]] = rank;
            start = end + 1;
        }
        return ranks;
    }

    private static double[] toDouble(int[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }
}
