package dev.mmalign.trainer.annotate;

/**
 * One call to a judge model: a system instruction (null: none is sent), a user text, an optional image, and the answer format (null for
 * free text, e.g. benchmark judging).
 */
public record JudgeRequest(String system, String user, byte[] image, String imageMimeType, RatingFormat format) {}
