package dev.mmalign.trainer.synthetic;

import java.util.Random;

/**
 * How the synthetic world's people disagree with the truth, shared by the ratings of sampled completions
 * ({@link SyntheticHumanRatings}) and of people's own responses ({@link SyntheticRatedResponses}): each rating, with
 * probability {@code noise}, moves one step up or down, kept on HelpSteer's 0-4 scale.
 */
final class NoisyPeople {

    private NoisyPeople() {}

    /** Refuses a share or a noise outside 0-1. */
    static void checkShares(double fraction, double noise) {
        if (fraction < 0 || fraction > 1 || noise < 0 || noise > 1) {
            throw new IllegalArgumentException("fraction and noise must be within 0-1: " + fraction + ", " + noise);
        }
    }

    /** A person's rating of one attribute whose true rating is {@code rating}. */
    static int perturbed(int rating, double noise, Random random) {
        if (random.nextDouble() >= noise) return rating;
        int step = random.nextBoolean() ? 1 : -1;
        int moved = rating + step;
        // At the ends of the scale the only step left is inward.
        return moved < 0 || moved > 4 ? rating - step : moved;
    }
}
