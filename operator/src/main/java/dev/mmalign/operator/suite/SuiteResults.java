package dev.mmalign.operator.suite;

import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.api.bench.BenchmarkResult;
import dev.mmalign.api.bench.BenchmarkSpec;
import dev.mmalign.api.stage.StageResult;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The score table (pure). Contract with the evaluate stage: metrics keyed "&lt;benchmark id&gt;/&lt;metric&gt;", the
 * number of questions scored as count "&lt;benchmark id&gt;". Status keeps one headline metric per model and benchmark
 * with the delta against the baseline model, and a capped breakdown of the benchmark's other metrics (all metrics
 * are in the results file): the headline's parts ("&lt;benchmark id&gt;/&lt;headline&gt;/&lt;part&gt;", e.g.
 * "mm-vet/score/ocr") first, then the rest (standard error, counts).
 */
public final class SuiteResults {

    private SuiteResults() {}

    /** The metric shown for each benchmark (the paper's Table 2 figures). */
    static String headlineMetric(BenchmarkName name) {
        return switch (name) {
            case POPE -> "f1";
            case MMBENCH, EXACT_MATCH -> "accuracy";
            case ALPACA_EVAL -> "winRate";
            case LLAVA_BENCH -> "relativeScore";
            default -> "score";
        };
    }

    /**
     * One row per benchmark of {@code model}'s result: the headline metric, or the first metric reported. The
     * evaluate stage may prefix keys with the model name ("&lt;model&gt;/&lt;benchmark id&gt;/&lt;metric&gt;", since one
     * evaluate pod can score several models); those keys are read as if unprefixed, and the question count may come
     * as the metric "&lt;benchmark id&gt;/n".
     */
    public static List<BenchmarkResult> rows(String model, List<BenchmarkSpec> benchmarks, StageResult result) {
        List<BenchmarkResult> rows = new ArrayList<>();
        if (result == null) {
            return rows;
        }
        java.util.Map<String, Double> metrics = new java.util.TreeMap<>();
        result.metrics.forEach((k, v) -> metrics.put(k.startsWith(model + "/") ? k.substring(model.length() + 1) : k, v));
        for (BenchmarkSpec b : benchmarks) {
            String id = b.effectiveId();
            String metric = headlineMetric(b.name);
            Double score = metrics.get(id + "/" + metric);
            if (score == null) {
                var first = metrics.keySet().stream().filter(k -> k.startsWith(id + "/"))
                        .filter(k -> !k.equals(id + "/n") && !k.equals(id + "/unscored")).findFirst();
                if (first.isEmpty()) {
                    continue;
                }
                metric = first.get().substring(id.length() + 1);
                score = metrics.get(first.get());
            }
            Long n = result.counts.get(id);
            if (n == null && metrics.get(id + "/n") != null) {
                n = Math.round(metrics.get(id + "/n"));
            }
            BenchmarkResult row = new BenchmarkResult(model, id, metric, score, n, null);
            row.breakdown = breakdown(metrics, id, metric);
            rows.add(row);
        }
        return rows;
    }

    /**
     * The benchmark's metrics other than the headline and n, by name relative to the benchmark: the headline's parts
     * ("&lt;headline&gt;/&lt;part&gt;": per turn, category, capability) before the rest (standard error, counts), so
     * that the cap of {@link BenchmarkResult#MAX_BREAKDOWN} drops the rest first; null when there are none.
     */
    static Map<String, Double> breakdown(Map<String, Double> metrics, String id, String headline) {
        List<String> parts = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (Map.Entry<String, Double> e : new java.util.TreeMap<>(metrics).entrySet()) {
            if (!e.getKey().startsWith(id + "/") || e.getValue() == null) {
                continue;
            }
            String name = e.getKey().substring(id.length() + 1);
            if (name.startsWith(headline + "/")) {
                parts.add(name);
            } else if (!name.equals(headline) && !name.equals("n")) {
                others.add(name);
            }
        }
        Map<String, Double> out = new java.util.TreeMap<>();
        for (String name : parts) {
            if (out.size() < BenchmarkResult.MAX_BREAKDOWN) out.put(name, metrics.get(id + "/" + name));
        }
        for (String name : others) {
            if (out.size() < BenchmarkResult.MAX_BREAKDOWN) out.put(name, metrics.get(id + "/" + name));
        }
        return out.isEmpty() ? null : out;
    }

    /** {@code all} with {@code model}'s rows replaced by {@code rows}, ordered by model then benchmark. */
    public static List<BenchmarkResult> replaceModel(List<BenchmarkResult> all, String model,
                                                     List<BenchmarkResult> rows, List<String> modelOrder) {
        List<BenchmarkResult> out = new ArrayList<>(all.stream().filter(r -> !model.equals(r.model)).toList());
        out.addAll(rows);
        out.sort(Comparator.comparing((BenchmarkResult r) -> modelOrder.indexOf(r.model))
                .thenComparing(r -> r.benchmark));
        return out;
    }

    /** Sets every row's delta: its score minus the baseline's on the same benchmark and metric (null if unknown). */
    public static void computeDeltas(List<BenchmarkResult> rows, String baseline) {
        for (BenchmarkResult r : rows) {
            r.delta = null;
            if (baseline == null || r.score == null) {
                continue;
            }
            rows.stream().filter(b -> baseline.equals(b.model) && Objects.equals(b.benchmark, r.benchmark)
                            && Objects.equals(b.metric, r.metric) && b.score != null)
                    .findFirst()
                    .ifPresent(b -> r.delta = BigDecimal.valueOf(r.score - b.score)
                            .setScale(6, RoundingMode.HALF_UP).stripTrailingZeros().doubleValue());
        }
    }

    /** The report step's artifacts: results and report paths. */
    public static String artifact(StageResult result, String key, String fallback) {
        Map<String, String> a = result != null ? result.artifacts : Map.of();
        return a.getOrDefault(key, fallback);
    }
}
