package dev.mmalign.trainer.progress;

import dev.mmalign.api.common.Progress;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Forwards at most one report per interval (the API server must not be flooded: DESIGN.md §4 asks for at most one
 * status patch every ~10 s). Reports in between are not lost but replaced: the latest one is held and sent at the
 * next chance or on close, so the final state always arrives.
 */
public final class ThrottledProgressReporter implements ProgressReporter {

    private final ProgressReporter delegate;
    private final Duration interval;
    private final Clock clock;
    private Instant lastSent;
    private Progress pending;

    public ThrottledProgressReporter(ProgressReporter delegate, Duration interval, Clock clock) {
        this.delegate = delegate;
        this.interval = interval;
        this.clock = clock;
    }

    @Override
    public synchronized void report(Progress progress) {
        Instant now = clock.instant();
        if (lastSent == null || !now.isBefore(lastSent.plus(interval))) {
            delegate.report(progress);
            lastSent = now;
            pending = null;
        } else {
            pending = progress;
        }
    }

    @Override
    public synchronized void close() {
        if (pending != null) {
            delegate.report(pending);
            pending = null;
        }
        delegate.close();
    }
}
