package dev.mmalign.trainer.sets;

import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.trainer.data.CompletionRecord;

import java.util.List;
import java.util.Map;

/** A completion with the judge's ratings (wire attribute names → 0-4). */
public record ScoredCompletion(CompletionRecord completion, Map<String, Integer> ratings) {

    /** Sum of the given attributes; an attribute the judge did not rate is an error, not a silent 0. */
    public int score(List<HelpSteerAttribute> attributes) {
        int sum = 0;
        for (HelpSteerAttribute a : attributes) {
            Integer v = ratings.get(a.wireName());
            if (v == null) {
                throw new IllegalArgumentException("completion " + completion.completionId() + " has no rating for "
                        + a.wireName());
            }
            sum += v;
        }
        return sum;
    }
}
