package dev.mmalign.api.stage;

/**
 * Keys of {@link StageResult#counts} that more than one process spells: the trainer writes them, the operator (or a
 * user's tooling reading result files) reads them. Keys only one side ever uses stay where they are used.
 */
public final class StageCounts {

    private StageCounts() {}

    /** Annotate: prompts of the shard whose every completion is rated (read into status.counts.annotated). */
    public static final String ANNOTATED = "annotated";
    /** Annotate: judge requests sent, failed ones included (status.cost.requests). */
    public static final String REQUESTS = "requests";
    /** Annotate: input tokens billed (status.cost.inputTokens). */
    public static final String INPUT_TOKENS = "inputTokens";
    /** Annotate: output tokens billed, thinking included (status.cost.outputTokens). */
    public static final String OUTPUT_TOKENS = "outputTokens";

    /** Annotate with provider import: rows in the ratings file; always IMPORT_ROWS_APPLIED + IMPORT_ROWS_DUPLICATE. */
    public static final String IMPORT_ROWS = "importRows";
    /** Annotate with provider import: rows that rated at least one completion not rated by an earlier row. */
    public static final String IMPORT_ROWS_APPLIED = "importRowsApplied";
    /** Annotate with provider import: rows repeating an earlier row's identical ratings. */
    public static final String IMPORT_ROWS_DUPLICATE = "importRowsDuplicate";
}
