package dev.mmalign.trainer.engine.train;

/**
 * Training produced NaN or infinite values too often to go on (see {@link TrainConfig#maxNonFiniteSteps}). The weights
 * were never updated from a non-finite step. A plain runtime error, so a stage exits with a retryable code.
 */
public final class NonFiniteTrainingException extends RuntimeException {
    private final int step;

    public NonFiniteTrainingException(int step, String message) {
        super(message);
        this.step = step;
    }

    /** The optimiser step (1-based) at which the run gave up. */
    public int step() {
        return step;
    }
}
