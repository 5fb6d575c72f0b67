package dev.mmalign.trainer.annotate;

import java.util.List;
import java.util.Map;

/** A validated judge answer: the reasoning and, per response in order, attribute → rating 0-4. */
public record Verdict(String reasoning, List<Map<String, Integer>> ratings) {}
