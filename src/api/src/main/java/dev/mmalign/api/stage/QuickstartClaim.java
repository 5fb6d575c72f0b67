package dev.mmalign.api.stage;

import java.util.List;

/**
 * What a claim prepared for the {@code examples/quickstart} manifests holds (paths relative to the claim): the
 * trainer's {@code quickstart --prepare-only} writes it, local mode checks it before applying the manifests.
 */
public final class QuickstartClaim {

    public static final String IMAGES = "synthetic/images";
    public static final String PROMPTS = "synthetic/train/prompts.jsonl";
    public static final String POPE = "synthetic/heldout/pope.jsonl";
    public static final String MMBENCH = "synthetic/heldout/mmbench.tsv";
    public static final String TEXT_ONLY = "synthetic/heldout/text-only.jsonl";
    /** The language model trained on text instructions only, the base's first stage (evaluated beside the base). */
    public static final String LANGUAGE_MODEL = "models/tiny-lm";
    public static final String BASE_MODEL = "models/tiny-base";
    /**
     * Synthetic people's ratings of responses to some of the PROMPTS (HelpSteer-style, with noise), for the dataset's
     * annotation.humanRatings: the judge-human agreement of the quickstart.
     */
    public static final String HUMAN_RATINGS = "synthetic/train/human-ratings.jsonl";

    /** Every path that must exist for the claim to count as prepared (the base model by its config.json). */
    public static final List<String> REQUIRED = List.of(IMAGES, PROMPTS, POPE, MMBENCH, TEXT_ONLY,
            HUMAN_RATINGS, LANGUAGE_MODEL + "/config.json", BASE_MODEL + "/config.json");

    private QuickstartClaim() {}
}
