package dev.mmalign.trainer.quickstart;

/**
 * Sizes and hyper-parameters of one quickstart run. The defaults are the measured full-size run (under 10 minutes on
 * 2 CPU cores); tests pass smaller sizes. Every seed derives from {@code seed}.
 *
 * @param vitScenes     scenes whose gold answers make the visual instruction tuning of the base (image questions only)
 * @param prefScenes    further scenes whose prompts are sampled, annotated and turned into the four training sets
 * @param heldoutScenes scenes of the held-out benchmarks (POPE, multiple choice)
 * @param textTrain     text-only instructions the language model is trained on first (the base's first stage)
 * @param textHeldout   text-only instructions of the exact-match benchmark
 * @param extraExistence yes/no existence questions added per tuning and preference scene (see ExistenceQuestions)
 * @param lmEpochs      epochs of the language model's text instruction tuning
 * @param vitEpochs     epochs of the base's visual instruction tuning
 * @param epochs        epochs of DPO, SFT-from-gold and rejection sampling
 * @param steerLmEpochs epochs of SteerLM, whose set has every completion (K per prompt): one epoch of it is as many
 *                      examples as K epochs of the one-per-prompt sets
 * @param loraRank      LoRA rank of the four alignment runs
 * @param vitLoraRank   LoRA rank of the base's visual instruction tuning (with the projector trained, as LLaVA-1.5's
 *                      LoRA variant does); 0 tunes every weight
 */
public record QuickstartSettings(int vitScenes, int prefScenes, int heldoutScenes, int textTrain, int textHeldout,
                                 int extraExistence, int lmEpochs, int vitEpochs, int epochs, int steerLmEpochs,
                                 double lmLearningRate, double vitLearningRate, double dpoLearningRate,
                                 double sftLearningRate, double beta, int loraRank, int vitLoraRank,
                                 double temperature,
                                 int maxNewTokens, long seed) {

    /**
     * Shards each micro-batch of the two base trainings (language model, visual tuning) is split over, one thread and
     * one model copy each ({@code TrainConfig.batchShards}): they run alone, and two threads use both cores of the
     * 2-core machine the quickstart is measured on. Fixed rather than taken from the machine's cores, because the
     * shard count is part of the result (the weight gradients are summed shard by shard): a 4-core machine splitting
     * in four would train other bits and print another claim line.
     */
    public static final int BASE_SHARDS = 2;
}
