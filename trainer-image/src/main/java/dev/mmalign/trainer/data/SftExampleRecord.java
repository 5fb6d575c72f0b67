package dev.mmalign.trainer.data;

import java.util.List;

/**
 * One SFT example (DESIGN.md §5): rejection sampling, SteerLM and gold-answer sets share this shape, and the engine's
 * SftTrainer trains on it. {@code images} holds at most one path; an empty list is a text-only example.
 */
public record SftExampleRecord(String id, List<String> images, String prompt, String completion) {}
