package dev.mmalign.trainer.synthetic;

/** A question about a scene (or a text-only instruction when image is null), its gold answer and its truth. */
public record SyntheticPrompt(String id, String image, String question, String goldAnswer, PromptTruth truth) {}
