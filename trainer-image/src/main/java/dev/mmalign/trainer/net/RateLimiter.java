package dev.mmalign.trainer.net;

import java.util.function.LongSupplier;

/**
 * Client-side request rate limit: request starts are spaced at least 60/rpm seconds apart (no bursts, which is what
 * per-minute quotas punish). Thread-safe; each caller reserves the next free start time, then waits for it.
 */
public final class RateLimiter {

    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private long nextFree;
    private boolean started;

    public RateLimiter(double requestsPerMinute, LongSupplier nanoTime, Sleeper sleeper) {
        if (!(requestsPerMinute > 0)) {
            throw new IllegalArgumentException("requests per minute must be positive");
        }
        this.intervalNanos = (long) (60e9 / requestsPerMinute);
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
    }

    public static RateLimiter perMinute(double requestsPerMinute) {
        return new RateLimiter(requestsPerMinute, System::nanoTime, Sleeper.REAL);
    }

    /** Blocks until this caller may start a request. */
    public void acquire() throws InterruptedException {
        long waitNanos;
        synchronized (this) {
            long now = nanoTime.getAsLong();
            if (!started || nextFree < now) {
                nextFree = now;
                started = true;
            }
            waitNanos = nextFree - now;
            nextFree += intervalNanos;
        }
        if (waitNanos > 0) {
            sleeper.sleep(Math.max(1, waitNanos / 1_000_000));
        }
    }
}
