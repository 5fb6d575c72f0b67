package dev.mmalign.api.run;

/** Training method of an AlignmentRun. */
public enum Method {
    /** Direct preference optimisation on chosen/rejected pairs (the paper's best). */
    DPO,
    /** Supervised fine-tuning on a given SFT set (e.g. gold answers: the paper's "Standard SFT"). */
    SFT,
    /** SFT on the best-rated completion per prompt. */
    RejectionSampling,
    /** SFT on every completion, conditioned on its attribute ratings. */
    SteerLM
}
