package dev.mmalign.operator.suite;

import dev.mmalign.api.bench.BenchmarkResult;
import dev.mmalign.api.bench.BenchmarkSuiteSpec;
import dev.mmalign.api.bench.ModelUnderTest;
import dev.mmalign.api.common.StorageSpec;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.api.sweep.SweepRun;
import dev.mmalign.api.sweep.SweepTable;
import dev.mmalign.operator.sweep.SweepTables;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a suite's report shows beside the scores (pure; lookups come in as functions): the dataset its runs trained
 * on (rating distributions, judge-human agreement, samples) and, for a suite made by an AlignmentSweep, the sweep's
 * score tables — computed by {@link SweepTables} from the same results as the sweep's status, so both agree.
 *
 * @param datasetRoot the dataset's folder (ArtifactLayout.datasetRoot), or null when no run trained on a
 *                    PreferenceDataset of the suite's storage
 * @param imageRoot   the folder its prompts' images are relative to (its prompts.imageRoot), null with no dataset
 * @param sweepTables one table per sweep axis, or null when the suite is not a sweep's
 */
public record SuiteReportInputs(String datasetRoot, String imageRoot, List<SweepTable> sweepTables) {

    public static final SuiteReportInputs NONE = new SuiteReportInputs(null, null, null);

    /**
     * @param runs     looks up an AlignmentRun by name (null when absent)
     * @param datasets looks up a PreferenceDataset by name (null when absent)
     * @param results  the suite's score rows (status.results)
     */
    public static SuiteReportInputs of(BenchmarkSuiteSpec spec, Function<String, AlignmentRun> runs,
                                       Function<String, PreferenceDataset> datasets, List<BenchmarkResult> results) {
        PreferenceDataset ds = dataset(spec, runs, datasets);
        String root = ds == null ? null : ArtifactLayout.datasetRoot(ds.getMetadata().getName());
        // The sample stage writes each prompt's image relative to prompts.imageRoot (as the run's train stage reads).
        String images = ds == null ? null
                : ds.getSpec().prompts != null && ds.getSpec().prompts.imageRoot != null
                ? ds.getSpec().prompts.imageRoot : "images";
        return new SuiteReportInputs(root, images, sweepTables(spec, results));
    }

    /**
     * The PreferenceDataset of the first model (in the suite's order) whose AlignmentRun trained on one on the
     * suite's own storage; the report shows one dataset, and a suite compares runs of one dataset as a rule.
     */
    static PreferenceDataset dataset(BenchmarkSuiteSpec spec, Function<String, AlignmentRun> runs,
                                     Function<String, PreferenceDataset> datasets) {
        for (ModelUnderTest m : spec.models) {
            AlignmentRun run = m.alignmentRun == null ? null : runs.apply(m.alignmentRun);
            String name = run == null || run.getSpec() == null || run.getSpec().dataset == null ? null
                    : run.getSpec().dataset.name;
            PreferenceDataset ds = name == null ? null : datasets.apply(name);
            if (ds != null && ds.getSpec() != null && sameStorage(ds.getSpec().storage, spec.storage)) {
                return ds;
            }
        }
        return null;
    }

    /** The sweep's tables from the suite's results, when the suite carries its axes (spec.sweepAxes); else null. */
    static List<SweepTable> sweepTables(BenchmarkSuiteSpec spec, List<BenchmarkResult> results) {
        if (spec.sweepAxes == null || spec.sweepAxes.isEmpty()) {
            return null;
        }
        List<SweepRun> points = new ArrayList<>();
        for (ModelUnderTest m : spec.models) {
            if (m.sweepPoint != null) {
                SweepRun r = new SweepRun();
                r.name = m.alignmentRun;
                r.model = m.name;
                r.point.putAll(m.sweepPoint);
                points.add(r);
            }
        }
        return SweepTables.tables(spec.sweepAxes, points, results == null ? List.of() : results);
    }

    private static boolean sameStorage(StorageSpec a, StorageSpec b) {
        return a != null && b != null && Objects.equals(a.claimName, b.claimName)
                && Objects.equals(Objects.requireNonNullElse(a.subPath, ""), Objects.requireNonNullElse(b.subPath, ""));
    }
}
