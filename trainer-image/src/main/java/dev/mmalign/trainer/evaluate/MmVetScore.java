package dev.mmalign.trainer.evaluate;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * MM-Vet's report as its official evaluator computes it (yuweihao/MM-Vet mm-vet_evaluator.py, {@code export_result}):
 * the total is 100 × (sum of the scores) / (number of questions), and each capability (rec, ocr, know, gen, spat,
 * math) is 100 × (sum of the scores of the questions needing it) / (number of such questions). Denominators count the
 * questions of the benchmark, so a question without a score counts as 0 (the official grader never leaves one
 * without: an unparsable judge reply scores 0.0). The official figures are these rounded to one decimal.
 */
final class MmVetScore {

    /** The item tag holding a question's capabilities, comma-separated. */
    static final String CAPABILITIES = "capability";

    private MmVetScore() {}

    /** score, "score/&lt;capability&gt;", n and unparsable (samples scored 0 because no reply parsed). */
    static Map<String, Double> metrics(List<SampleOutput> outputs, Map<String, BenchmarkItem> items) {
        Map<String, Double> scoreById = new LinkedHashMap<>();
        long unparsable = 0;
        for (SampleOutput o : outputs) {
            scoreById.put(o.id(), o.score() == null ? 0.0 : o.score());
            if (o.problem() != null) unparsable++;
        }
        double total = 0;
        Map<String, double[]> byCapability = new TreeMap<>();
        for (BenchmarkItem item : items.values()) {
            double s = scoreById.getOrDefault(item.id(), 0.0);
            total += s;
            for (String capability : capabilities(item)) {
                double[] sumCount = byCapability.computeIfAbsent(capability, k -> new double[2]);
                sumCount[0] += s;
                sumCount[1]++;
            }
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("score", items.isEmpty() ? 0 : 100 * total / items.size());
        byCapability.forEach((c, sumCount) -> m.put("score/" + c, 100 * sumCount[0] / sumCount[1]));
        m.put("n", (double) outputs.size());
        m.put("unparsable", (double) unparsable);
        return m;
    }

    /** A question's capabilities as a set (the official code counts each once). */
    static Set<String> capabilities(BenchmarkItem item) {
        Set<String> out = new LinkedHashSet<>();
        String tag = item.tag(CAPABILITIES);
        if (tag != null) {
            for (String c : tag.split(",")) if (!c.isBlank()) out.add(c.trim());
        }
        return out;
    }
}
