package dev.mmalign.trainer.net;

import java.util.Random;

/**
 * Exponential backoff with jitter: before retry n (0-based) wait a random time in [d/2, d] with
 * d = min(max, base · 2^n), so that many clients throttled at once do not retry in lockstep.
 */
public final class Backoff {

    private final long baseMillis;
    private final long maxMillis;
    private final Random random;

    public Backoff(long baseMillis, long maxMillis, Random random) {
        this.baseMillis = baseMillis;
        this.maxMillis = maxMillis;
        this.random = random;
    }

    public static Backoff standard() {
        return new Backoff(1000, 60_000, new Random());
    }

    public synchronized long delayMillis(int retry) {
        long d = Math.min(maxMillis, baseMillis << Math.min(retry, 30));
        long half = d / 2;
        return half + (long) (random.nextDouble() * (d - half + 1));
    }
}
