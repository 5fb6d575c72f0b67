package dev.mmalign.trainer.evaluate;

/**
 * L1-penalised logistic regression with soft labels and sample weights, without intercept: the minimiser of
 * liblinear's L1R_LR objective ||w||₁ + C Σ weight_i · (p_i log(1 + e^{−z_i}) + (1 − p_i) log(1 + e^{z_i})),
 * z_i = w·x_i, which is what scikit-learn fits when each row is given twice, labelled 1 with weight p·weight and 0
 * with weight (1 − p)·weight. Solved by proximal Newton steps (each L1 subproblem by coordinate descent on the
 * exact Hessian, as liblinear's newGLMNET does) with a backtracking line search, to a tight tolerance. Meant for a
 * handful of features: the Hessian is dense.
 */
final class L1Logistic {

    private static final int MAX_NEWTON = 500;
    private static final int MAX_SWEEPS = 1000;
    private static final double TOLERANCE = 1e-10;

    private L1Logistic() {}

    /** The weights fitted on the rows where {@code use} is true. */
    static double[] fit(double[][] x, double[] p, double[] weight, boolean[] use, double c) {
        int k = x[0].length;
        double[] w = new double[k];
        double objective = objective(x, p, weight, use, c, w);
        double initialOptimality = 0;
        for (int iter = 0; iter < MAX_NEWTON; iter++) {
            double[] g = new double[k];
            double[][] h = new double[k][k];
            for (int i = 0; i < x.length; i++) {
                if (!use[i]) continue;
                double q = expit(dot(w, x[i]));
                double gi = c * weight[i] * (q - p[i]);
                double hi = c * weight[i] * q * (1 - q);
                for (int a = 0; a < k; a++) {
                    g[a] += gi * x[i][a];
                    for (int b = 0; b < k; b++) h[a][b] += hi * x[i][a] * x[i][b];
                }
            }
            // Stop when the smallest subgradient of the objective is within TOLERANCE of the one at w = 0 (the
            // criterion liblinear uses, with its tol of 1e-4 made far tighter).
            double optimality = 0;
            for (int a = 0; a < k; a++) {
                double v = w[a] != 0 ? g[a] + Math.signum(w[a]) : Math.max(Math.abs(g[a]) - 1, 0);
                optimality = Math.max(optimality, Math.abs(v));
            }
            if (iter == 0) initialOptimality = optimality;
            if (optimality <= TOLERANCE * Math.max(1, initialOptimality)) break;
            double[] d = subproblem(w, g, h);
            // Decrease predicted by the model: g·d + ||w + d||₁ − ||w||₁ (negative unless at the optimum).
            double predicted = 0;
            for (int a = 0; a < k; a++) predicted += g[a] * d[a] + Math.abs(w[a] + d[a]) - Math.abs(w[a]);
            double step = 1;
            double[] next = new double[k];
            double nextObjective = Double.NaN;
            for (int halving = 0; halving < 60; halving++) {
                for (int a = 0; a < k; a++) next[a] = w[a] + step * d[a];
                nextObjective = objective(x, p, weight, use, c, next);
                if (nextObjective <= objective + 0.01 * step * predicted) break;
                step /= 2;
            }
            if (!(nextObjective < objective)) break; // no further decrease representable in double precision
            w = next.clone();
            objective = nextObjective;
        }
        return w;
    }

    /** argmin over d of g·d + ½ dᵀHd + ||w + d||₁, by cyclic coordinate descent with soft-thresholding. */
    private static double[] subproblem(double[] w, double[] g, double[][] h) {
        int k = w.length;
        double[] d = new double[k];
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double change = 0;
            for (int j = 0; j < k; j++) {
                double a = h[j][j];
                double b = g[j];
                for (int l = 0; l < k; l++) if (l != j) b += h[j][l] * d[l];
                double z;
                if (a <= 0) {
                    z = Math.abs(b) <= 1 ? 0 : w[j] + d[j];
                } else {
                    double center = w[j] - b / a;
                    z = Math.signum(center) * Math.max(Math.abs(center) - 1 / a, 0);
                }
                double dj = z - w[j];
                change = Math.max(change, Math.abs(dj - d[j]));
                d[j] = dj;
            }
            if (change <= 1e-14 * Math.max(1, maxAbs(w) + maxAbs(d))) break;
        }
        return d;
    }

    private static double objective(double[][] x, double[] p, double[] weight, boolean[] use, double c, double[] w) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            if (!use[i]) continue;
            double z = dot(w, x[i]);
            sum += weight[i] * (p[i] * softplus(-z) + (1 - p[i]) * softplus(z));
        }
        double l1 = 0;
        for (double v : w) l1 += Math.abs(v);
        return l1 + c * sum;
    }

    /** log(1 + e^z) without overflow. */
    private static double softplus(double z) {
        return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    }

    /** The logistic function 1 / (1 + e^{−z}), as scipy's expit. */
    static double expit(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    static double dot(double[] w, double[] x) {
        double s = 0;
        for (int a = 0; a < w.length; a++) s += w[a] * x[a];
        return s;
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double d : v) m = Math.max(m, Math.abs(d));
        return m;
    }
}
