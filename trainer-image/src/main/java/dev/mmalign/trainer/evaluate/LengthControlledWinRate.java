package dev.mmalign.trainer.evaluate;

import dev.mmalign.trainer.data.InvalidInputException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * AlpacaEval's length-controlled win rate, as tatsu-lab/alpaca_eval metrics/glm_winrate.py
 * {@code get_length_controlled_winrate} computes it with its default GLM {@code length_controlled_v1}:
 * <ul>
 * <li>Data: the annotations of the model (output_1 the reference, output_2 the model, preference p − 1 in [0, 1],
 * 0.5 a tie) plus the published rows of the two length-gamed baselines, {@code df_gamed.csv} (the Hugging Face
 * dataset tatsu-lab/alpaca_eval, which the official code downloads; here a file beside {@code alpaca_eval.json}).
 * That file also gives each instruction's difficulty: the official code takes the column {@code instruction_difficulty}
 * of the first row of each {@code index} and looks it up by that row's position, with the annotation's row number
 * (its position in the annotations) as the key.</li>
 * <li>Features (formula {@code np.tanh(std_delta_len) + instruction_difficulty + not_gamed_baseline - 1}, no
 * intercept): tanh of (len(output_1) − len(output_2)) / its sample standard deviation over the model's annotations,
 * lengths in Unicode code points as Python's {@code str.len()}; the difficulty; 1 for the model, 0 for a gamed
 * baseline (the model's own bias).</li>
 * <li>Weights ({@code regularize_to_baseline_lambda} 0.2): 1 for the model's rows, 0.2 / 2 for the gamed rows.
 * Rows without a preference are left out of the fit.</li>
 * <li>Fit ({@code fit_LogisticRegressionCV}): soft labels, an L1 penalty (liblinear's objective
 * ||w||₁ + C Σ weight · log-loss), C chosen among numpy.logspace(−4, 4, 10) by 5-fold GroupKFold cross-validation
 * on the weighted log-loss (folds as GroupKFold deals rows: each row's two copies form a group, groups taken in
 * descending order, each to the lightest fold), the highest summed score winning, the first on a tie, then refit
 * on all rows with that C.</li>
 * <li>Read-off: the predicted preference of each of the model's annotations with the length term at 0; the win
 * rate is 100 × their mean and its standard error 100 × their sample standard error (pandas {@code sem}).</li>
 * </ul>
 * Stated differences: the optimum is solved to a tight tolerance (liblinear stops at {@code tol}=1e-4 of the initial
 * subgradient, so its weights are that close to this optimum, not equal); GroupKFold's order among equal-sized
 * groups follows a stable sort, as numpy 2's {@code argsort} gives (numpy 1.x's quicksort orders them otherwise, which
 * changes the folds, so the official figure itself depends on the numpy version).
 */
public final class LengthControlledWinRate {

    /** The gamed baselines' annotations and the instruction difficulties, beside {@code alpaca_eval.json}. */
    public static final String GAMED_FILE = "df_gamed.csv";

    static final double REGULARIZE_TO_BASELINE_LAMBDA = 0.2;
    static final int N_SPLITS = 5;
    static final double[] CS = logspace(-4, 4, 10);

    /** The gamed rows (features without tanh applied) and the difficulty by row position of each index's first row. */
    public record Gamed(Path file, List<double[]> rows, Map<Integer, Double> difficultyByRow) {}

    /** One annotation of the model: its preference p − 1 (null when unparsable) and the two outputs compared. */
    public record Annotation(Double preference, String output1, String output2) {}

    /** The length-controlled win rate, its standard error, the GLM's weights and the C chosen. */
    public record Result(double winRate, double standardError, double[] weights, double c) {}

    private LengthControlledWinRate() {}

    /** df_gamed.csv beside the data file, or null when it is not there. */
    public static Gamed gamedBeside(Path dataFile) {
        Path file = dataFile.resolveSibling(GAMED_FILE);
        return Files.exists(file) ? readGamed(file) : null;
    }

    /** Reads df_gamed.csv as pandas does; its columns are found by name, any others are ignored. */
    public static Gamed readGamed(Path file) {
        List<double[]> rows = new ArrayList<>();
        Map<Integer, Double> difficulty = new HashMap<>();
        Map<Long, Boolean> seen = new HashMap<>();
        int position = 0;
        for (PandasTsv.Row r : PandasTsv.read(file, ',', "the gamed baselines' annotations")) {
            long index = (long) number(file, r, "index");
            double preference = r.get("preference") == null ? Double.NaN : number(file, r, "preference");
            double stdDeltaLen = number(file, r, "std_delta_len");
            double diff = number(file, r, "instruction_difficulty");
            String notGamed = r.get("not_gamed_baseline");
            if (!"False".equals(notGamed) && !"True".equals(notGamed)) {
                throw new InvalidInputException(file, r.line(), "not_gamed_baseline must be True or False");
            }
            if (seen.putIfAbsent(index, true) == null) difficulty.put(position, diff);
            rows.add(new double[] {preference, stdDeltaLen, diff, "True".equals(notGamed) ? 1 : 0});
            position++;
        }
        return new Gamed(file, rows, difficulty);
    }

    private static double number(Path file, PandasTsv.Row r, String column) {
        String v = r.get(column);
        if (v == null) throw new InvalidInputException(file, r.line(), "column " + column + " is missing or empty");
        try {
            double d = Double.parseDouble(v);
            if (Double.isFinite(d)) return d;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidInputException(file, r.line(), column + " is not a finite number");
    }

    /**
     * The length-controlled win rate of {@code annotations} (in the annotations' order, row i taking the difficulty
     * of instruction i), or null when it cannot be fitted: fewer than two annotations, equal length differences
     * (no standard deviation) or fewer than five rows with a preference.
     */
    public static Result compute(List<Annotation> annotations, Gamed gamed) {
        int n = annotations.size();
        if (n < 2) return null;
        double[] delta = new double[n];
        for (int i = 0; i < n; i++) {
            Annotation a = annotations.get(i);
            delta[i] = codePoints(a.output1()) - codePoints(a.output2());
        }
        double sd = sampleStd(delta);
        if (!(sd > 0)) return null;
        double[] difficulty = new double[n];
        for (int i = 0; i < n; i++) {
            Double d = gamed.difficultyByRow().get(i);
            if (d == null) {
                throw new InvalidInputException(gamed.file(), "has no difficulty for annotation row " + i + " (the "
                        + "first row of each index must sit at the position of its instruction, as in the published "
                        + "file)");
            }
            difficulty[i] = d;
        }
        // Training rows: the gamed baselines first, then the model, as pd.concat([df_gamed, df]); unlabelled dropped.
        List<double[]> x = new ArrayList<>();
        List<Double> p = new ArrayList<>();
        List<Double> w = new ArrayList<>();
        for (double[] g : gamed.rows()) {
            if (Double.isNaN(g[0])) continue;
            x.add(new double[] {Math.tanh(g[1]), g[2], g[3]});
            p.add(g[0]);
            w.add(g[3] == 1 ? 1 : REGULARIZE_TO_BASELINE_LAMBDA / 2);
        }
        for (int i = 0; i < n; i++) {
            Double pref = annotations.get(i).preference();
            if (pref == null || pref.isNaN()) continue;
            x.add(new double[] {Math.tanh(delta[i] / sd), difficulty[i], 1});
            p.add(pref);
            w.add(1.0);
        }
        int m = x.size();
        if (m < N_SPLITS) return null;
        double[][] X = x.toArray(new double[0][]);
        double[] P = p.stream().mapToDouble(Double::doubleValue).toArray();
        double[] W = w.stream().mapToDouble(Double::doubleValue).toArray();

        int[] fold = groupKFold(m, N_SPLITS);
        double[] summed = new double[CS.length];
        for (int f = 0; f < N_SPLITS; f++) {
            boolean[] train = new boolean[m];
            for (int i = 0; i < m; i++) train[i] = fold[i] != f;
            for (int c = 0; c < CS.length; c++) {
                double[] coef = L1Logistic.fit(X, P, W, train, CS[c]);
                summed[c] += -weightedLogLoss(X, P, W, fold, f, coef);
            }
        }
        int best = 0;
        for (int c = 1; c < CS.length; c++) if (summed[c] > summed[best]) best = c;
        boolean[] all = new boolean[m];
        java.util.Arrays.fill(all, true);
        double[] coef = L1Logistic.fit(X, P, W, all, CS[best]);

        double[] predicted = new double[n];
        for (int i = 0; i < n; i++) predicted[i] = L1Logistic.expit(coef[1] * difficulty[i] + coef[2]);
        double mean = java.util.Arrays.stream(predicted).average().orElseThrow();
        double sem = sampleStd(predicted) / Math.sqrt(n);
        return new Result(100 * mean, 100 * sem, coef, CS[best]);
    }

    /**
     * GroupKFold's test fold of each row: every group (a row's two copies) weighs the same, groups are dealt in
     * descending order, each to the currently lightest fold (the first on a tie).
     */
    static int[] groupKFold(int groups, int splits) {
        int[] fold = new int[groups];
        long[] load = new long[splits];
        for (int g = groups - 1; g >= 0; g--) {
            int lightest = 0;
            for (int f = 1; f < splits; f++) if (load[f] < load[lightest]) lightest = f;
            load[lightest] += 2;
            fold[g] = lightest;
        }
        return fold;
    }

    /** logloss_continuous on fold {@code f}: −mean(weight · (p log q + (1 − p) log(1 − q))), q clipped to 1e-15. */
    private static double weightedLogLoss(double[][] x, double[] p, double[] w, int[] fold, int f, double[] coef) {
        double sum = 0;
        int count = 0;
        for (int i = 0; i < x.length; i++) {
            if (fold[i] != f) continue;
            double q = L1Logistic.expit(L1Logistic.dot(coef, x[i]));
            q = Math.min(Math.max(q, 1e-15), 1 - 1e-15);
            sum += w[i] * (p[i] * Math.log(q) + (1 - p[i]) * Math.log(1 - q));
            count++;
        }
        return -sum / count;
    }

    static int codePoints(String s) {
        return s == null ? 0 : s.codePointCount(0, s.length());
    }

    static double sampleStd(double[] v) {
        double mean = java.util.Arrays.stream(v).average().orElse(Double.NaN);
        double ss = 0;
        for (double d : v) ss += (d - mean) * (d - mean);
        return Math.sqrt(ss / (v.length - 1));
    }

    /** numpy.logspace(start, stop, num): 10^(start + k (stop − start) / (num − 1)). */
    private static double[] logspace(double start, double stop, int num) {
        double[] out = new double[num];
        double step = (stop - start) / (num - 1);
        for (int k = 0; k < num; k++) out[k] = Math.pow(10, start + k * step);
        return out;
    }
}
