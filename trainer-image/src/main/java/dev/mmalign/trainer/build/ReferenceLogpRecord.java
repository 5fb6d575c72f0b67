package dev.mmalign.trainer.build;

/**
 * A cached reference log-prob pair, keyed by pair id, a hash of its texts and the fingerprint of the model that
 * computed it, so that a changed pair (different rejected completion after a rule change) or a changed reference
 * model is recomputed rather than served stale.
 */
public record ReferenceLogpRecord(String pairId, long textHash, String modelSha256, double chosen, double rejected) {}
