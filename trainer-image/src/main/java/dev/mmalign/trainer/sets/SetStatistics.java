package dev.mmalign.trainer.sets;

import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.trainer.data.DpoPairRecord;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Figures for the build result: attribute means over all rated completions and DPO score statistics. */
public final class SetStatistics {

    private SetStatistics() {}

    public static Map<String, Double> attributeMeans(List<AnnotatedPrompt> prompts) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (HelpSteerAttribute a : HelpSteerAttribute.values()) {
            double sum = 0;
            long n = 0;
            for (AnnotatedPrompt p : prompts) {
                for (ScoredCompletion c : p.completions()) {
                    Integer v = c.ratings().get(a.wireName());
                    if (v != null) {
                        sum += v;
                        n++;
                    }
                }
            }
            if (n > 0) out.put("mean/" + a.wireName(), sum / n);
        }
        return out;
    }

    public static Map<String, Double> dpo(List<DpoPairRecord> pairs) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (pairs.isEmpty()) return out;
        double chosen = 0, rejected = 0;
        for (DpoPairRecord p : pairs) {
            chosen += p.chosenScore();
            rejected += p.rejectedScore();
        }
        out.put("dpo/meanChosenScore", chosen / pairs.size());
        out.put("dpo/meanRejectedScore", rejected / pairs.size());
        out.put("dpo/meanMargin", (chosen - rejected) / pairs.size());
        return out;
    }
}
