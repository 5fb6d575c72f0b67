package dev.mmalign.trainer.progress;

import dev.mmalign.api.common.Progress;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** Counts units of one stage and turns them into {@link Progress} reports with percent and ETA. */
public final class ProgressTracker {

    private final ProgressReporter reporter;
    private final String stage;
    private final String unit;
    private final long total;
    private final Clock clock;
    private final Instant started;
    private final long alreadyDone;
    private long current;

    /** {@code alreadyDone} units were finished by an earlier run; they do not count towards the rate for the ETA. */
    public ProgressTracker(ProgressReporter reporter, String stage, String unit, long total, long alreadyDone,
                           Clock clock) {
        this.reporter = reporter;
        this.stage = stage;
        this.unit = unit;
        this.total = total;
        this.clock = clock;
        this.started = clock.instant();
        this.alreadyDone = alreadyDone;
        this.current = alreadyDone;
    }

    public synchronized void advance(long units, String message) {
        current += units;
        reporter.report(snapshot(message));
    }

    public synchronized long current() {
        return current;
    }

    public synchronized Progress snapshot(String message) {
        Progress p = new Progress();
        p.stage = stage;
        p.unit = unit;
        p.current = current;
        p.total = total;
        p.percent = total == 0 ? 100.0 : Math.round(1000.0 * current / total) / 10.0;
        Instant now = clock.instant();
        long doneHere = current - alreadyDone;
        if (doneHere > 0 && current < total) {
            double secondsPerUnit = Duration.between(started, now).toMillis() / 1000.0 / doneHere;
            p.etaSeconds = Math.round(secondsPerUnit * (total - current));
        }
        p.updatedAt = now.toString();
        p.message = message;
        return p;
    }
}
