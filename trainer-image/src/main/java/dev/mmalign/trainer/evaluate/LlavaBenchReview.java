package dev.mmalign.trainer.evaluate;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * LLaVA-Bench's review, as LLaVA's official scripts do it:
 * <ul>
 * <li>the judge prompt of llava/eval/eval_gpt_review_bench.py: {@code [Context]} with the image's captions (the judge
 * never sees the image), {@code [Question]}, the reference answer as "{role} 1", the model's as "{role} 2", and the
 * category's prompt from rule.json under {@code [System]}; its system message;</li>
 * <li>{@code parse_score} of the same file: the reply's first line, commas turned into spaces, split on single
 * spaces, must be exactly two Python floats (reference, model); anything else is the pair (-1, -1), which — as in the
 * official summary — stays in the means; no range check, no re-asking;</li>
 * <li>llava/eval/summarize_gpt_review.py: per category and over all, the mean pair rounded to 3 decimals, and the
 * relative score round(100 × model / reference, 1).</li>
 * </ul>
 */
final class LlavaBenchReview {

    static final String SYSTEM = "You are a helpful and precise assistant for checking the quality of the answer.";
    static final String CONTEXT = "llavaBench.context";
    static final String RULE_PROMPT = "llavaBench.rulePrompt";
    static final String RULE_ROLE = "llavaBench.ruleRole";
    static final double[] UNPARSABLE = {-1, -1};

    private LlavaBenchReview() {}

    /**
     * The caption text of a context.jsonl record: {@code '\n'.join(caption)} — lines joined by newlines for a list;
     * for a string Python joins its characters, and so does this.
     */
    static String captions(JsonNode caption) {
        List<String> parts = new ArrayList<>();
        if (caption.isArray()) {
            caption.forEach(c -> parts.add(c.asText()));
        } else {
            caption.asText().codePoints().forEach(cp -> parts.add(new String(Character.toChars(cp))));
        }
        return String.join("\n", parts);
    }

    static String prompt(BenchmarkItem item, String answer) {
        String role = item.tag(RULE_ROLE);
        return "[Context]\n" + item.tag(CONTEXT) + "\n\n"
                + "[Question]\n" + item.turns().get(0) + "\n\n"
                + "[" + role + " 1]\n" + item.answer() + "\n\n[End of " + role + " 1]\n\n"
                + "[" + role + " 2]\n" + answer + "\n\n[End of " + role + " 2]\n\n"
                + "[System]\n" + item.tag(RULE_PROMPT) + "\n\n";
    }

    /** (reference score, model score), or {@link #UNPARSABLE} where the official parser fails. */
    static double[] parse(String review) {
        if (review == null) return UNPARSABLE;
        int newline = review.indexOf('\n');
        String first = (newline < 0 ? review : review.substring(0, newline)).replace(',', ' ');
        String[] parts = first.split(" ", -1);
        if (parts.length != 2) return UNPARSABLE;
        Double a = PythonFloat.parse(parts[0]);
        Double b = PythonFloat.parse(parts[1]);
        return a == null || b == null ? UNPARSABLE : new double[] {a, b};
    }

    static boolean unparsable(double[] scores) {
        return scores[0] == -1 && scores[1] == -1;
    }

    /**
     * relativeScore (all questions) and "relativeScore/&lt;category&gt;", with the rounded mean scores
     * (referenceScore, modelScore), n and unparsable.
     */
    static Map<String, Double> metrics(List<SampleOutput> outputs, Map<String, BenchmarkItem> items) {
        Map<String, List<double[]>> byCategory = new TreeMap<>();
        List<double[]> all = new ArrayList<>();
        long unparsable = 0;
        for (SampleOutput o : outputs) {
            if (o.score() == null || o.referenceScore() == null) continue;
            double[] pair = {o.referenceScore(), o.score()};
            if (unparsable(pair)) unparsable++;
            all.add(pair);
            String category = items.get(o.id()).category();
            if (category != null) byCategory.computeIfAbsent(category, k -> new ArrayList<>()).add(pair);
        }
        Map<String, Double> m = new LinkedHashMap<>();
        double[] overall = roundedMeans(all);
        putRelative(m, "relativeScore", overall);
        byCategory.forEach((c, pairs) -> putRelative(m, "relativeScore/" + c, roundedMeans(pairs)));
        if (overall != null) {
            m.put("referenceScore", overall[0]);
            m.put("modelScore", overall[1]);
        }
        m.put("n", (double) all.size());
        m.put("unparsable", (double) unparsable);
        return m;
    }

    /** numpy's mean of the pairs, each rounded to 3 decimals as the summary does; null for none. */
    private static double[] roundedMeans(List<double[]> pairs) {
        if (pairs.isEmpty()) return null;
        double a = 0;
        double b = 0;
        for (double[] p : pairs) {
            a += p[0];
            b += p[1];
        }
        return new double[] {PythonFloat.round(a / pairs.size(), 3), PythonFloat.round(b / pairs.size(), 3)};
    }

    /** Left out where the reference mean is 0 (the official summary fails there with a division by zero). */
    private static void putRelative(Map<String, Double> m, String key, double[] means) {
        if (means != null && means[0] != 0) m.put(key, PythonFloat.round(means[1] / means[0] * 100, 1));
    }
}
