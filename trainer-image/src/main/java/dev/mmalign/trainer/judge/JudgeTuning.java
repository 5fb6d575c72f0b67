package dev.mmalign.trainer.judge;

import dev.mmalign.trainer.net.Sleeper;

/**
 * Knobs of judge calls that tests and local mode turn down: backoff delays, the sleeper, a request timeout overriding
 * the spec's, and a ready-made client (tests inject one with fake credentials).
 */
public record JudgeTuning(long backoffBaseMillis, long backoffMaxMillis, Sleeper sleeper, Integer timeoutMillis,
                          JudgeClient clientOverride) {

    public static JudgeTuning standard() {
        return new JudgeTuning(1000, 60_000, Sleeper.REAL, null, null);
    }
}
