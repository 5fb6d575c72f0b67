package dev.mmalign.trainer.data;

import java.util.List;

/** One SFT example (DESIGN.md §5): rejection sampling, SteerLM and gold-answer sets share this shape. */
public record SftExampleRecord(String id, List<String> images, String prompt, String completion) {}
