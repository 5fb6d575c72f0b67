package dev.mmalign.api.stage;

/**
 * Exit codes of a stage pod. The operator's Job podFailurePolicy fails the Job at once on the permanent ones; any
 * other non-zero code is retried up to backoffLimit.
 */
public final class ExitCodes {
    /** The stage finished. */
    public static final int SUCCESS = 0;
    /** Invalid input or configuration (bad JSONL line, missing image, unknown value): permanent. */
    public static final int INVALID_INPUT = 2;
    /** The cost budget (maxCostUSD) is spent; all work so far is kept: permanent. */
    public static final int BUDGET_EXHAUSTED = 3;
    /**
     * Stopped early by SIGTERM (preemption, Kueue suspend, node drain) after saving its work: the usual 128 + 15,
     * retryable.
     */
    public static final int INTERRUPTED = 143;

    private ExitCodes() {}

    /** Whether retrying a pod that exited with {@code code} cannot help. */
    public static boolean isPermanent(int code) {
        return code == INVALID_INPUT || code == BUDGET_EXHAUSTED;
    }
}
