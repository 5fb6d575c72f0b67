package dev.mmalign.trainer.engine.train;

import java.util.Map;

/**
 * Per-optimiser-step metrics under TRL's names: loss, rewards/chosen, rewards/rejected, rewards/accuracies,
 * rewards/margins, logps/chosen, logps/rejected (DPO only), learning_rate, grad_norm, tokens_per_second, epoch; plus skipped_steps (non-finite steps
 * skipped so far in this attempt, see TrainingLoop).
 */
@FunctionalInterface
public interface MetricsListener {
    void onStep(int step, int totalSteps, Map<String, Double> metrics);
}
