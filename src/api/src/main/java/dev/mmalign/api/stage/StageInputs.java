package dev.mmalign.api.stage;

/** Keys of {@link StagePaths#inputs}. */
public final class StageInputs {
    /** Policy / base model folder (sample, build's reference log-probs, train). */
    public static final String MODEL = "model";
    /** LoRA adapter folder applied on top of MODEL, when the model is another run's output. */
    public static final String ADAPTER = "adapter";
    /** Selected prompts JSONL (annotate, build; written by sample). */
    public static final String PROMPTS = "prompts";
    /** Folder of completion shards (annotate, build). */
    public static final String COMPLETIONS = "completions";
    /** Folder of annotation shards (build). */
    public static final String ANNOTATIONS = "annotations";
    /** Folder images are resolved against. */
    public static final String IMAGE_ROOT = "imageRoot";
    /** Training set JSONL (train). */
    public static final String DATASET = "dataset";
    /**
     * Turns an evaluate pod into a suite's report step: a folder holding one subfolder per model (its name) with that
     * model's {@link #RESULTS_FILE}, as the suite's per-model evaluate pods wrote them. The step merges them into one
     * results.json and report.html and evaluates nothing.
     */
    public static final String RESULTS = "results";
    /** The results file an evaluate pod writes into its output folder. */
    public static final String RESULTS_FILE = "results.json";

    private StageInputs() {}
}
