package dev.mmalign.api.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The paper's claim in the quickstart's figures, one line both the in-process quickstart and local mode print:
 * visual instruction tuning makes the language model worse at text ({@code text_lm} vs {@code text_base}), and DPO on
 * multimodal pairs recovers text ({@code text_dpo}) while answering POPE better ({@code pope_acc_*}, with the
 * yes-ratio beside it so a gain from saying "yes" more shows). The model and benchmark names are the quickstart's,
 * shared by its in-process pipeline and by {@code examples/quickstart}.
 */
public final class PaperClaim {

    /** The language model trained on text instructions only: the base's first stage. */
    public static final String TEXT_LM = "lm";
    /** The visually instruction-tuned base every alignment run starts from. */
    public static final String BASE = "base";
    public static final String DPO = "dpo";
    /** Held-out text instructions, scored by rule: the whole answer equals the gold answer after normalisation. */
    public static final String TEXT_BENCHMARK = "text-only";
    public static final String TEXT_METRIC = "accuracy";
    public static final String POPE = "pope";

    /** The figures of the claim in print order: key → (model, benchmark, metric). */
    private static final List<String[]> FIGURES = List.of(
            new String[] {"text_lm", TEXT_LM, TEXT_BENCHMARK, TEXT_METRIC},
            new String[] {"text_base", BASE, TEXT_BENCHMARK, TEXT_METRIC},
            new String[] {"text_dpo", DPO, TEXT_BENCHMARK, TEXT_METRIC},
            new String[] {"pope_acc_base", BASE, POPE, "accuracy"},
            new String[] {"pope_acc_dpo", DPO, POPE, "accuracy"},
            new String[] {"pope_yes_base", BASE, POPE, "yesRatio"},
            new String[] {"pope_yes_dpo", DPO, POPE, "yesRatio"});

    /** A score by model, benchmark id and metric; null when it was not measured. */
    @FunctionalInterface
    public interface Scores {
        Double get(String model, String benchmark, String metric);
    }

    private PaperClaim() {}

    /** The claim's figures in print order (null where a score is missing). */
    public static Map<String, Double> figures(Scores scores) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String[] f : FIGURES) {
            out.put(f[0], scores.get(f[1], f[2], f[3]));
        }
        return out;
    }

    /** {@code claim: text_lm=0.650 text_base=0.100 ...}, "-" for a missing figure. */
    public static String line(Map<String, Double> figures) {
        StringBuilder b = new StringBuilder("claim:");
        figures.forEach((k, v) -> b.append(' ').append(k).append('=')
                .append(v == null ? "-" : String.format(Locale.ROOT, "%.3f", v)));
        return b.toString();
    }

    /** Scores from a BenchmarkSuite's status rows: the headline metric or one of its breakdown. */
    public static Scores fromResults(List<BenchmarkResult> results) {
        return (model, benchmark, metric) -> {
            for (BenchmarkResult r : results) {
                if (!model.equals(r.model) || !benchmark.equals(r.benchmark)) continue;
                if (metric.equals(r.metric)) return r.score;
                if (r.breakdown != null && r.breakdown.get(metric) != null) return r.breakdown.get(metric);
            }
            return null;
        };
    }
}
