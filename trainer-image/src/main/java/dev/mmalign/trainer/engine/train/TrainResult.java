package dev.mmalign.trainer.engine.train;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How a run ended.
 *
 * @param steps optimiser steps done (including those of earlier attempts when resumed)
 * @param stopped true when the caller's stop request ended it early (a checkpoint was saved)
 * @param resumedFromStep the step this attempt started from: 0, or that of the checkpoint it resumed
 * @param losses loss per optimiser step of the whole run: earlier attempts' from the checkpoint resumed, then this
 *     attempt's (only this attempt's when the checkpoint predates the loss history)
 * @param output where the trained weights are: PEFT adapter dir (LoRA) or HF model dir (full)
 */
public record TrainResult(int steps, int totalSteps, boolean stopped, Map<String, Double> lastMetrics,
        int resumedFromStep, List<Double> losses, Path output) {}
