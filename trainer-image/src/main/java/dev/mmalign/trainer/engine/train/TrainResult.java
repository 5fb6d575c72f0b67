package dev.mmalign.trainer.engine.train;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How a run ended.
 *
 * @param steps optimiser steps done (including those of earlier attempts when resumed)
 * @param stopped true when the caller's stop request ended it early (a checkpoint was saved)
 * @param losses loss per optimiser step of this attempt
 * @param output where the trained weights are: PEFT adapter dir (LoRA) or HF model dir (full)
 */
public record TrainResult(int steps, int totalSteps, boolean stopped, Map<String, Double> lastMetrics,
        List<Double> losses, Path output) {}
