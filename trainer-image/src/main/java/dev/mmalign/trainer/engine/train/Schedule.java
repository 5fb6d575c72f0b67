package dev.mmalign.trainer.engine.train;

/** Learning rate at a step: linear warmup over ceil(warmupRatio · total) steps, then cosine/linear/constant decay to 0, as transformers' schedulers. */
public final class Schedule {
    private Schedule() {}

    /** Learning rate for optimiser step {@code step} (0-based). */
    public static double learningRate(TrainConfig c, int step, int totalSteps) {
        int warmup = (int) Math.ceil(c.warmupRatio() * totalSteps);
        if (step < warmup) {
            return c.learningRate() * (step + 1.0) / warmup;
        }
        double progress = (double) (step - warmup) / Math.max(1, totalSteps - warmup);
        return switch (c.scheduler()) {
            case COSINE -> c.learningRate() * 0.5 * (1 + Math.cos(Math.PI * progress));
            case LINEAR -> c.learningRate() * (1 - progress);
            case CONSTANT -> c.learningRate();
        };
    }
}
