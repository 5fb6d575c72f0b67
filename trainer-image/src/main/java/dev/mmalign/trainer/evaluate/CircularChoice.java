package dev.mmalign.trainer.evaluate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * MMBench's circular evaluation as VLMEvalKit scores it ({@code mcq_circular_eval} and {@code report_acc} in
 * open-compass/VLMEvalKit vlmeval/dataset/utils/multiple_choice.py): the published TSV holds each question once per
 * rotation of its options, the copies at index + k·1,000,000; rows are grouped by {@code index % 1,000,000}, and a
 * question counts as right only when every row of its group was answered right (under the exact-matching policy a
 * row whose answer names no option is wrong). Accuracy is over the questions whose main row (index below 1,000,000) is
 * present, overall and per l2-category and category, those named by VLMEvalKit's abbreviations (CP, FP-S, ...).
 */
public final class CircularChoice {

    static final long COPY_STRIDE = 1_000_000L;
    static final String L2_CATEGORY = "l2-category";

    /** VLMEvalKit's MMB_abbrs. */
    private static final Map<String, String> ABBREVIATIONS = Map.of(
            "coarse_perception", "CP",
            "finegrained_perception (instance-level)", "FP-S",
            "finegrained_perception (cross-instance)", "FP-C",
            "logic_reasoning", "LR",
            "relation_reasoning", "RR",
            "attribute_reasoning", "AR");

    private CircularChoice() {}

    /** The prompt in LLaVA's MMBench form (llava/eval/model_vqa_mmbench.py): hint, question, lettered options. */
    public static String prompt(String hint, String question, List<String> options) {
        StringBuilder p = new StringBuilder();
        if (hint != null) p.append(hint).append('\n');
        p.append(question);
        for (int i = 0; i < options.size(); i++) {
            p.append('\n').append((char) ('A' + i)).append(". ").append(options.get(i));
        }
        return p.append("\nAnswer with the option's letter from the given choices directly.").toString();
    }

    /** The question a row belongs to: its index modulo 1,000,000. */
    static long group(String index) {
        return Long.parseLong(index) % COPY_STRIDE;
    }

    /**
     * accuracy (circular), per-l2-category and per-category accuracy ("accuracy/&lt;name&gt;"), firstPassAccuracy
     * (main rows alone, no copies) and n (questions).
     */
    static Map<String, Double> metrics(List<SampleOutput> outputs, Map<String, BenchmarkItem> items) {
        Map<Long, Boolean> hitByGroup = new LinkedHashMap<>();
        for (SampleOutput o : outputs) {
            hitByGroup.merge(group(o.id()), Boolean.TRUE.equals(o.correct()), Boolean::logicalAnd);
        }
        List<Double> hits = new ArrayList<>();
        List<Double> firstPass = new ArrayList<>();
        Map<String, List<Double>> byAbility = new TreeMap<>();
        for (SampleOutput o : outputs) {
            if (Long.parseLong(o.id()) >= COPY_STRIDE) continue;
            double hit = hitByGroup.get(group(o.id())) ? 1 : 0;
            hits.add(hit);
            firstPass.add(Boolean.TRUE.equals(o.correct()) ? 1.0 : 0.0);
            BenchmarkItem item = items.get(o.id());
            for (String ability : new String[] {item.tag(L2_CATEGORY), item.category()}) {
                if (ability != null) {
                    byAbility.computeIfAbsent(ABBREVIATIONS.getOrDefault(ability, ability), k -> new ArrayList<>())
                            .add(hit);
                }
            }
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", mean(hits));
        byAbility.forEach((ability, values) -> m.put("accuracy/" + ability, mean(values)));
        m.put("firstPassAccuracy", mean(firstPass));
        m.put("n", (double) hits.size());
        return m;
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }
}
