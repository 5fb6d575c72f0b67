package dev.mmalign.api.stage;

/**
 * Where each resource's artifacts live on its claim, relative to the storage root. The operator puts these paths in
 * the stage spec and in status; the trainer only follows the paths it is given. One place, so both sides agree.
 */
public final class ArtifactLayout {

    private ArtifactLayout() {}

    /**
     * Prefix of the judge's spend ledger shard files (spend-i-of-n.jsonl) in the annotate and evaluate output folders:
     * the paid attempts that left no other record, read back so a rerun keeps maxCostUSD exactly.
     */
    public static final String SPEND_PREFIX = "spend";

    /**
     * File name of the judge-human agreement the build stage writes into the annotations folder (beside the ratings)
     * when annotation.humanRatings is set. Its content is {@link dev.mmalign.api.dataset.JudgeAgreementFile}.
     */
    /**
     * Prefix of the annotate stage's shard files (beside the annotations) holding the judge's ratings of responses
     * people rated that are no sampled completion (annotation.humanRatings), and of their quarantine
     * ({@code <prefix>-quarantine}); the build stage compares them with people's ratings too.
     */
    public static final String JUDGED_HUMAN_RATED_PREFIX = "judged-human-rated";
    public static final String AGREEMENT_FILE = "agreement.json";

    /** Root of a PreferenceDataset's artifacts. */
    public static String datasetRoot(String name) {
        return "mmalign/datasets/" + name;
    }

    public static String datasetPrompts(String name) {
        return datasetRoot(name) + "/prompts.jsonl";
    }

    public static String datasetCompletions(String name) {
        return datasetRoot(name) + "/completions";
    }

    public static String datasetAnnotations(String name) {
        return datasetRoot(name) + "/annotations";
    }

    /** The judge-human agreement file of a dataset (see {@link #AGREEMENT_FILE}). */
    public static String datasetAgreement(String name) {
        return datasetAnnotations(name) + "/" + AGREEMENT_FILE;
    }

    public static String datasetSets(String name) {
        return datasetRoot(name) + "/sets";
    }

    /** File of one training set: dpo.jsonl, rejectionSampling.jsonl, steerLM.jsonl or goldSFT.jsonl. */
    public static String datasetSet(String name, String set) {
        return datasetSets(name) + "/" + set + ".jsonl";
    }

    /** Root of an AlignmentRun's artifacts. */
    public static String runRoot(String name) {
        return "mmalign/runs/" + name;
    }

    /**
     * The train stage's per-step metrics log in a run's output folder: one JSON object a line, {@code step},
     * {@code total_steps} and the engine's metrics under TRL's names (non-finite values as null). JSON lines rather
     * than a trainer_state.json because a line is appended per step, so a killed pod loses at most the line it was
     * writing, and a resumed run drops the lines past its checkpoint instead of rewriting a whole history per step.
     * The evaluate stage's report finds it beside a model's adapter (or merged) folder.
     */
    public static final String METRICS_LOG = "metrics.jsonl";

    public static String runMetrics(String name) {
        return runRoot(name) + "/" + METRICS_LOG;
    }

    public static String runCheckpoints(String name) {
        return runRoot(name) + "/checkpoints";
    }

    public static String runAdapter(String name) {
        return runRoot(name) + "/adapter";
    }

    public static String runMerged(String name) {
        return runRoot(name) + "/merged";
    }

    /** Root of a BenchmarkSuite's artifacts. */
    public static String suiteRoot(String name) {
        return "mmalign/suites/" + name;
    }

    public static String suiteResults(String name) {
        return suiteRoot(name) + "/results.json";
    }

    public static String suiteReport(String name) {
        return suiteRoot(name) + "/report.html";
    }

    /** One shard's file name inside a sharded folder, e.g. completions-00002-of-00008.jsonl. */
    public static String shardFile(String prefix, int index, int count, String extension) {
        return String.format("%s-%05d-of-%05d.%s", prefix, index, count, extension);
    }

    /** The result file a shard writes into its stage's output folder. */
    public static String resultFile(StageName stage, int index) {
        return String.format("result-%s-%05d.json", stage.name(), index);
    }
}
