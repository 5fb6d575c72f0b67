package dev.mmalign.trainer.data;

/**
 * A prompt whose judge answers stayed malformed after every retry: set aside with the reason and the last answer
 * (cut to a few KB), never silently dropped. Reruns skip it; delete its line to try it again.
 */
public record QuarantineRecord(String promptId, String reason, int attempts, String lastAnswer, String judge,
                               Usage usage) {}
