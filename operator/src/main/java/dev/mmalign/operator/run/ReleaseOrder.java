package dev.mmalign.operator.run;

import dev.mmalign.api.dataset.DatasetCounts;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.DatasetRef;
import dev.mmalign.api.run.TrainingSet;

import java.util.Comparator;
import java.util.List;

/**
 * The order in which the runs waiting on a PreferenceDataset are reconciled when it changes: the largest training
 * work first (examples of the run's training set times its epochs, as the dataset's status counts them), then by
 * name. When the dataset becomes Ready it releases them all at once, and their train Jobs are created in about this
 * order; with more pods than room, the scheduler (and local mode's executor) starts pods of one priority oldest
 * first, so the longest training starts first and the shorter ones fill the room beside it, rather than the longest
 * starting last and the runs' evaluations waiting for it alone (the quickstart: SteerLM trains on every sampled
 * completion, the other methods on one example per prompt or pair).
 *
 * <p>Best effort: the reconciles run concurrently, so Jobs created within the same moment may still be created in
 * another order. It changes nothing of what a run does.
 */
final class ReleaseOrder {

    private ReleaseOrder() {
    }

    /** Largest {@link #work} first, then by name (a stable order when the counts are not known yet). */
    static Comparator<AlignmentRun> largestFirst(PreferenceDataset ds) {
        return Comparator.comparingLong((AlignmentRun r) -> work(ds, r)).reversed()
                .thenComparing(r -> r.getMetadata().getName());
    }

    /** The runs, largest work first. */
    static List<AlignmentRun> sort(PreferenceDataset ds, List<AlignmentRun> runs) {
        return runs.stream().sorted(largestFirst(ds)).toList();
    }

    /**
     * Examples of the run's training set in {@code ds}'s status times the run's epochs; 0 when the dataset has not
     * counted that set yet (or the run trains on a file path rather than a dataset's set).
     */
    static long work(PreferenceDataset ds, AlignmentRun run) {
        if (run.getSpec() == null || run.getSpec().dataset == null || run.getSpec().method == null
                || ds.getStatus() == null || ds.getStatus().counts == null) {
            return 0;
        }
        Long examples = examples(ds.getStatus().counts, DatasetRef.effectiveSet(run.getSpec().dataset,
                run.getSpec().method));
        int epochs = run.getSpec().training != null && run.getSpec().training.epochs != null
                ? Math.max(1, run.getSpec().training.epochs) : 1;
        return examples == null ? 0 : examples * epochs;
    }

    private static Long examples(DatasetCounts c, TrainingSet set) {
        return switch (set) {
            case dpo -> c.dpoPairs;
            case rejectionSampling -> c.rejectionSampling;
            case steerLM -> c.steerLM;
            case goldSFT -> c.goldSFT;
        };
    }
}
