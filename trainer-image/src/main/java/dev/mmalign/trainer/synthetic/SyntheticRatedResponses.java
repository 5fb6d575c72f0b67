package dev.mmalign.trainer.synthetic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.trainer.data.AtomicFiles;
import dev.mmalign.trainer.data.Json;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.data.StableHash;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A HelpSteer-style file of the synthetic world's "human" ratings, written before anything is sampled: for a seeded
 * subset of the preference prompts, a few responses of people's own choosing (the gold answer, the bare answer, a
 * wrong answer taken from another prompt of the same kind, a refusal), each rated by synthetic people from the known
 * truth (as the oracle does) with controlled noise: each rating, with probability {@code noise}, moves one step up or
 * down. The annotate stage has the judge rate these responses too, so judge-human agreement (the paper's Figure 3)
 * is measured wherever the pipeline runs, local mode and clusters included. Rows name their prompt by
 * {@code promptId} and carry HelpSteer's {@code prompt}, {@code response} and the five attributes (0-4).
 */
public final class SyntheticRatedResponses {

    /** The response people give when they decline; rated low on helpfulness by the truth. */
    static final String REFUSAL = "I cannot tell.";

    private final OracleRater rater = new OracleRater();
    private final double fraction;
    private final double noise;
    private final long seed;

    /**
     * @param fraction share of the prompts with rated responses, 0-1
     * @param noise probability that a person's rating of one attribute is one step off the truth's, 0-1
     */
    public SyntheticRatedResponses(double fraction, double noise, long seed) {
        NoisyPeople.checkShares(fraction, noise);
        this.fraction = fraction;
        this.noise = noise;
        this.seed = seed;
    }

    /** Reads the prompts file and writes the rated responses to {@code out} (JSONL); returns the row count. */
    public int write(Path promptsFile, Path out) {
        List<PromptRecord> prompts = JsonlReader.readAll(promptsFile, PromptRecord.class, null);
        List<ObjectNode> rows = rows(prompts);
        AtomicFiles.writeJsonl(out, rows);
        return rows.size();
    }

    /** The rows for the chosen synthetic prompts (prompts without a truth are skipped), in prompt order. */
    public List<ObjectNode> rows(List<PromptRecord> prompts) {
        Map<PromptTruth.Kind, List<PromptRecord>> byKind = new LinkedHashMap<>();
        Map<String, PromptTruth> truths = new LinkedHashMap<>();
        for (PromptRecord p : prompts) {
            PromptTruth truth = PromptTruth.fromJson(p.truth());
            if (truth == null || p.goldAnswer() == null) continue;
            truths.put(p.id(), truth);
            byKind.computeIfAbsent(truth.kind(), k -> new ArrayList<>()).add(p);
        }
        List<ObjectNode> rows = new ArrayList<>();
        for (PromptRecord p : prompts) {
            PromptTruth truth = truths.get(p.id());
            if (truth == null) continue;
            Random random = new Random(StableHash.of(seed, p.id()));
            if (random.nextDouble() >= fraction) continue;
            for (String response : responses(p, truth, byKind.get(truth.kind()), truths, random)) {
                Map<HelpSteerAttribute, Integer> truthful = rater.rate(truth, p.goldAnswer(), response);
                ObjectNode row = Json.MAPPER.createObjectNode();
                row.put("promptId", p.id());
                row.put("prompt", p.question());
                row.put("response", response);
                for (HelpSteerAttribute a : HelpSteerAttribute.values()) {
                    row.put(a.wireName(), NoisyPeople.perturbed(truthful.get(a), noise, random));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    /** Distinct responses: gold, the bare answer, another same-kind prompt's gold answer if it differs, a refusal. */
    private static List<String> responses(PromptRecord p, PromptTruth truth, List<PromptRecord> sameKind,
                                          Map<String, PromptTruth> truths, Random random) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        out.add(p.goldAnswer());
        if (truth.answer() != null && !truth.answer().isBlank()) out.add(truth.answer());
        List<PromptRecord> wrong = sameKind.stream()
                .filter(o -> !o.id().equals(p.id()) && !java.util.Objects.equals(truths.get(o.id()).answer(),
                        truth.answer()))
                .toList();
        if (!wrong.isEmpty()) out.add(wrong.get(random.nextInt(wrong.size())).goldAnswer());
        out.add(REFUSAL);
        return new ArrayList<>(out);
    }
}
