package dev.mmalign.trainer.sets;

import dev.mmalign.api.dataset.HelpSteerAttribute;

import java.util.List;

/** The highest-scoring completion; ties go to the earliest, so the choice is deterministic. */
final class BestCompletion {

    private BestCompletion() {}

    static ScoredCompletion of(List<ScoredCompletion> completions, List<HelpSteerAttribute> attributes) {
        ScoredCompletion best = null;
        int bestScore = Integer.MIN_VALUE;
        for (ScoredCompletion c : completions) {
            int s = c.score(attributes);
            if (s > bestScore) {
                best = c;
                bestScore = s;
            }
        }
        return best;
    }
}
