package dev.mmalign.trainer.synthetic;

import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.trainer.data.CompletionRecord;
import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.data.StableHash;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The synthetic world's people: they rate a seeded subset of the sampled completions from the known truth (as the
 * oracle does) and then disagree a little: each rating, with probability {@code noise}, moves one step up or down
 * (kept on the 0-4 scale). With noise 0 they agree with the oracle judge exactly; the quickstart uses some noise so
 * that the judge-human agreement figures have something to measure. Every choice is drawn from a generator seeded
 * by (seed, completion id), so the same completions get the same ratings whatever the order or the shard layout.
 */
public final class SyntheticHumanRatings {

    /** One rated completion, as a row of a humanRatings file (named by completion id). */
    public record Row(String completionId, Map<String, Integer> ratings) {}

    private final OracleRater rater = new OracleRater();
    private final double fraction;
    private final double noise;
    private final long seed;

    /**
     * @param fraction share of the completions rated, 0-1
     * @param noise probability that a person's rating of one attribute is one step off the truth's, 0-1
     */
    public SyntheticHumanRatings(double fraction, double noise, long seed) {
        NoisyPeople.checkShares(fraction, noise);
        this.fraction = fraction;
        this.noise = noise;
        this.seed = seed;
    }

    /** Ratings of the chosen completions of synthetic prompts (prompts without a truth are skipped). */
    public List<Row> rate(Map<String, PromptRecord> prompts, Map<String, List<CompletionRecord>> completions) {
        List<Row> rows = new ArrayList<>();
        for (List<CompletionRecord> group : completions.values()) {
            for (CompletionRecord c : group) {
                PromptRecord prompt = prompts.get(c.promptId());
                PromptTruth truth = prompt == null ? null : PromptTruth.fromJson(prompt.truth());
                if (truth == null) continue;
                Random random = new Random(StableHash.of(seed, c.completionId()));
                if (random.nextDouble() >= fraction) continue;
                Map<HelpSteerAttribute, Integer> truthful = rater.rate(truth, prompt.goldAnswer(), c.text());
                Map<String, Integer> ratings = new LinkedHashMap<>();
                for (HelpSteerAttribute a : HelpSteerAttribute.values()) {
                    ratings.put(a.wireName(), NoisyPeople.perturbed(truthful.get(a), noise, random));
                }
                rows.add(new Row(c.completionId(), ratings));
            }
        }
        return rows;
    }
}
