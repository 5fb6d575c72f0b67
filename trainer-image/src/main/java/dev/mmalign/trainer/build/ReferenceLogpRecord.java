package dev.mmalign.trainer.build;

/**
 * A cached reference log-prob pair, keyed by pair id and a hash of its texts so that a changed pair (different
 * rejected completion after a rule change) is recomputed rather than served stale.
 */
public record ReferenceLogpRecord(String pairId, long textHash, double chosen, double rejected) {}
