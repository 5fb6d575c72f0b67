package dev.mmalign.trainer.judge;

/** The judge's answer text and the tokens it billed. */
public record JudgeReply(String text, long inputTokens, long outputTokens) {}
