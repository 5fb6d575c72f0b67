package dev.mmalign.trainer.sets;

import dev.mmalign.api.dataset.DpoSetSpec;
import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.api.dataset.RejectedSelection;
import dev.mmalign.trainer.data.DpoPairRecord;
import dev.mmalign.trainer.data.StableHash;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * DPO pairs by DESIGN.md §1: chosen = the best completion by the summed score attributes; rejected = a random
 * completion at least {@code minMargin} below it (paper's text) or the worst one if it is (authors' notebook).
 * Prompts with no such gap yield no pair. The random choice is seeded per prompt, so it does not depend on order.
 */
public final class DpoPairBuilder {

    /** The pairs and how many prompts gave none. */
    public record Result(List<DpoPairRecord> pairs, long promptsWithoutPair) {}

    private final List<HelpSteerAttribute> attributes;
    private final RejectedSelection selection;
    private final int minMargin;
    private final long seed;

    public DpoPairBuilder(DpoSetSpec spec) {
        this.attributes = spec.scoreAttributes;
        this.selection = spec.rejected == null ? RejectedSelection.RANDOM_BELOW_MARGIN : spec.rejected;
        this.minMargin = spec.minMargin == null ? 2 : spec.minMargin;
        this.seed = spec.seed == null ? 0L : spec.seed;
    }

    public Result build(List<AnnotatedPrompt> prompts) {
        List<DpoPairRecord> pairs = new ArrayList<>();
        long without = 0;
        for (AnnotatedPrompt p : prompts) {
            DpoPairRecord pair = pairFor(p);
            if (pair == null) {
                without++;
            } else {
                pairs.add(pair);
            }
        }
        return new Result(pairs, without);
    }

    DpoPairRecord pairFor(AnnotatedPrompt p) {
        if (p.completions().size() < 2) {
            return null;
        }
        ScoredCompletion chosen = BestCompletion.of(p.completions(), attributes);
        int best = chosen.score(attributes);
        List<ScoredCompletion> below = p.completions().stream()
                .filter(c -> c.score(attributes) <= best - minMargin && c != chosen)
                .toList();
        if (below.isEmpty()) {
            return null;
        }
        ScoredCompletion rejected = switch (selection) {
            case RANDOM_BELOW_MARGIN -> below.get(new Random(StableHash.of(seed, p.prompt().id())).nextInt(below.size()));
            case WORST -> worst(below);
        };
        return new DpoPairRecord(p.prompt().id(), p.images(), p.prompt().question(), chosen.completion().text(),
                rejected.completion().text(), (double) best, (double) rejected.score(attributes), null, null);
    }

    private ScoredCompletion worst(List<ScoredCompletion> candidates) {
        ScoredCompletion worst = candidates.get(0);
        for (ScoredCompletion c : candidates) {
            if (c.score(attributes) < worst.score(attributes)) {
                worst = c;
            }
        }
        return worst;
    }
}
