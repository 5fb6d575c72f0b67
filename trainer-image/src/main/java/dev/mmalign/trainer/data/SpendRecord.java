package dev.mmalign.trainer.data;

/**
 * What the judge calls of a prompt cost when they ended in neither ratings nor quarantine (the budget ran out between
 * retries of a malformed answer). Written so that a rerun with the same budget counts them and never spends past it.
 */
public record SpendRecord(String promptId, String reason, Usage usage) {}
