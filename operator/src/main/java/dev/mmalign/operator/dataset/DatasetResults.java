package dev.mmalign.operator.dataset;

import dev.mmalign.api.dataset.AnnotationCost;
import dev.mmalign.api.dataset.AttributeAgreement;
import dev.mmalign.api.dataset.JudgeAgreementFile;
import dev.mmalign.api.dataset.DatasetArtifacts;
import dev.mmalign.api.dataset.DatasetCounts;
import dev.mmalign.api.dataset.PreferenceDatasetStatus;
import dev.mmalign.api.stage.StageCounts;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.operator.k8s.Json;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folds the shards' results of a finished stage into the dataset's status (pure). The keys are the stage contract:
 * counts named as DatasetCounts' fields (prompts, completions, annotated, quarantined, dpoPairs, ...) and summed over
 * shards; counts requests / inputTokens / outputTokens and metric costUSD for the annotation cost; metrics
 * "mean/&lt;attribute&gt;" for attribute means (weighted by the shard's annotated count); metrics
 * "agreement/&lt;attribute&gt;/&lt;figure&gt;" (build, one shard) for the judge-human agreement; artifacts named as
 * DatasetArtifacts' fields.
 */
public final class DatasetResults {

    static final String COST_USD = "costUSD";
    static final String MEAN_PREFIX = "mean/";

    private DatasetResults() {}

    public static void apply(PreferenceDatasetStatus status, List<StageResult> results) {
        Map<String, Long> counts = new TreeMap<>();
        Map<String, String> artifacts = new LinkedHashMap<>();
        double cost = 0;
        boolean hasCost = false;
        Map<String, double[]> means = new TreeMap<>(); // attribute -> {weighted sum, weight}
        Map<String, AttributeAgreement> agreement = new LinkedHashMap<>();
        for (StageResult r : results) {
            r.metrics.forEach((k, v) -> readAgreement(agreement, k, v));
            r.counts.forEach((k, v) -> counts.merge(k, v, Long::sum));
            artifacts.putAll(r.artifacts);
            if (r.metrics.containsKey(COST_USD)) {
                cost += r.metrics.get(COST_USD);
                hasCost = true;
            }
            double weight = Math.max(1, r.counts.getOrDefault(StageCounts.ANNOTATED, 1L));
            r.metrics.forEach((k, v) -> {
                if (k.startsWith(MEAN_PREFIX) && v != null) {
                    double[] acc = means.computeIfAbsent(k.substring(MEAN_PREFIX.length()), x -> new double[2]);
                    acc[0] += v * weight;
                    acc[1] += weight;
                }
            });
        }
        status.counts = merge(status.counts, Json.convert(counts, DatasetCounts.class), DatasetCounts.class);
        if (!artifacts.isEmpty()) {
            status.artifacts = merge(status.artifacts, Json.convert(artifacts, DatasetArtifacts.class),
                    DatasetArtifacts.class);
        }
        if (hasCost || counts.containsKey(StageCounts.INPUT_TOKENS)) {
            AnnotationCost c = new AnnotationCost();
            c.requests = counts.get(StageCounts.REQUESTS);
            c.inputTokens = counts.get(StageCounts.INPUT_TOKENS);
            c.outputTokens = counts.get(StageCounts.OUTPUT_TOKENS);
            c.usd = BigDecimal.valueOf(cost).setScale(4, RoundingMode.HALF_UP).toPlainString();
            status.cost = c;
        }
        if (!means.isEmpty()) {
            Map<String, Double> m = new TreeMap<>();
            means.forEach((k, acc) -> m.put(k, round(acc[0] / acc[1])));
            status.attributeMeans = m;
        }
        if (!agreement.isEmpty()) {
            status.agreement = agreement;
        }
    }

    /** One "agreement/&lt;attribute&gt;/&lt;figure&gt;" metric into its attribute's entry; other keys are ignored. */
    private static void readAgreement(Map<String, AttributeAgreement> agreement, String key, Double value) {
        if (!key.startsWith(JudgeAgreementFile.METRIC_PREFIX) || value == null || value.isNaN()) return;
        String[] parts = key.substring(JudgeAgreementFile.METRIC_PREFIX.length()).split("/", 2);
        if (parts.length != 2) return;
        AttributeAgreement a = agreement.computeIfAbsent(parts[0], x -> new AttributeAgreement());
        switch (parts[1]) {
            case "n" -> a.n = Math.round(value);
            case "exactMatch" -> a.exactMatch = round(value);
            case "withinOne" -> a.withinOne = round(value);
            case "spearman" -> a.spearman = round(value);
            case "pearson" -> a.pearson = round(value);
            default -> { }
        }
    }

    static double round(double v) {
        return BigDecimal.valueOf(v).setScale(4, RoundingMode.HALF_UP).doubleValue();
    }

    /** {@code update}'s non-null fields over {@code base}'s. */
    @SuppressWarnings("unchecked")
    static <T> T merge(T base, T update, Class<T> type) {
        if (base == null) {
            return update;
        }
        Map<String, Object> merged = new LinkedHashMap<>(Json.convert(base, Map.class));
        Map<String, Object> upd = Json.convert(update, Map.class);
        upd.forEach((k, v) -> {
            if (v != null) {
                merged.put(k, v);
            }
        });
        return Json.convert(merged, type);
    }
}
