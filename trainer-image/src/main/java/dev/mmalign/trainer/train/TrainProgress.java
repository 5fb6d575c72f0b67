package dev.mmalign.trainer.train;

import dev.mmalign.trainer.engine.train.MetricsListener;
import dev.mmalign.trainer.progress.ProgressReporter;
import dev.mmalign.trainer.progress.ProgressTracker;

import java.time.Clock;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the engine's per-step metrics into progress reports (step of total, epoch, percent, ETA, loss). The total is
 * known only once the engine has sized the run, so the tracker is made at the first step; steps an earlier attempt
 * did (resume) do not count towards the ETA's rate.
 */
final class TrainProgress implements MetricsListener {

    private final ProgressReporter reporter;
    private ProgressTracker tracker;
    private volatile Double epoch;

    TrainProgress(ProgressReporter reporter) {
        this.reporter = reporter;
    }

    @Override
    public void onStep(int step, int totalSteps, Map<String, Double> metrics) {
        epoch = metrics.get("epoch");
        if (tracker == null) {
            tracker = new ProgressTracker(p -> {
                p.epoch = epoch;
                reporter.report(p);
            }, "train", "steps", totalSteps, step - 1, Clock.systemUTC());
        }
        Double loss = metrics.get("loss");
        tracker.advance(1, loss == null ? null : String.format(Locale.ROOT, "loss %.4f", loss));
    }
}
