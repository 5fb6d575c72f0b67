package dev.mmalign.operator.suite;

import dev.mmalign.api.bench.BenchmarkResult;
import dev.mmalign.api.bench.BenchmarkSuiteSpec;
import dev.mmalign.api.bench.ModelUnderTest;
import dev.mmalign.api.common.StorageSpec;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.api.stage.ReportDataset;
import dev.mmalign.api.sweep.SweepRun;
import dev.mmalign.api.sweep.SweepTable;
import dev.mmalign.operator.sweep.SweepPlan;
import dev.mmalign.operator.sweep.SweepTables;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a suite's report shows beside the scores (pure; lookups come in as functions): every dataset its runs trained
 * on (rating distributions, judge-human agreement, samples), each with the models trained on it, and, for a suite
 * made by an AlignmentSweep, the sweep's score tables — computed by {@link SweepTables} from the same results as the
 * sweep's status, so both agree.
 *
 * @param datasets    the distinct PreferenceDatasets the suite's AlignmentRuns trained on, in the order of their first
 *                    model; empty when none did
 * @param sweepTables one table per sweep axis, or null when the suite is not a sweep's
 */
public record SuiteReportInputs(List<ReportDataset> datasets, List<SweepTable> sweepTables) {

    public static final SuiteReportInputs NONE = new SuiteReportInputs(List.of(), null);

    /**
     * @param runs     looks up an AlignmentRun by name (null when absent)
     * @param datasets looks up a PreferenceDataset by name (null when absent)
     * @param results  the suite's score rows (status.results)
     */
    public static SuiteReportInputs of(BenchmarkSuiteSpec spec, Function<String, AlignmentRun> runs,
                                       Function<String, PreferenceDataset> datasets, List<BenchmarkResult> results) {
        return new SuiteReportInputs(datasets(spec, runs, datasets), sweepTables(spec, results));
    }

    /**
     * Each PreferenceDataset a model's AlignmentRun trained on (runs on a file, and datasets that no longer exist, are
     * left out), once, in the order of its first model, with every model trained on it. A dataset on another claim
     * than the suite's has no root: the report pod, which mounts the suite's claim, cannot read it.
     */
    static List<ReportDataset> datasets(BenchmarkSuiteSpec spec, Function<String, AlignmentRun> runs,
                                        Function<String, PreferenceDataset> datasets) {
        Map<String, ReportDataset> byName = new LinkedHashMap<>();
        for (ModelUnderTest m : spec.models) {
            AlignmentRun run = m.alignmentRun == null ? null : runs.apply(m.alignmentRun);
            String name = run == null || run.getSpec() == null || run.getSpec().dataset == null ? null
                    : run.getSpec().dataset.name;
            if (name == null) {
                continue;
            }
            ReportDataset known = byName.get(name);
            if (known == null) {
                PreferenceDataset ds = datasets.apply(name);
                if (ds == null || ds.getSpec() == null) {
                    continue;
                }
                boolean readable = sameStorage(ds.getSpec().storage, spec.storage);
                // The sample stage writes each prompt's image relative to prompts.imageRoot (as train reads it).
                String images = ds.getSpec().prompts != null && ds.getSpec().prompts.imageRoot != null
                        ? ds.getSpec().prompts.imageRoot : "images";
                known = new ReportDataset(name, readable ? ArtifactLayout.datasetRoot(name) : null,
                        readable ? images : null, List.of());
                byName.put(name, known);
            }
            known.models.add(m.name);
        }
        return List.copyOf(byName.values());
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
        // A sweep's suite names its base as the baseline; SweepPlan.BASE for one written without it.
        String baseline = spec.baseline != null ? spec.baseline : SweepPlan.BASE;
        return SweepTables.tables(spec.sweepAxes, baseline, points, results == null ? List.of() : results);
    }

    private static boolean sameStorage(StorageSpec a, StorageSpec b) {
        return a != null && b != null && Objects.equals(a.claimName, b.claimName)
                && Objects.equals(Objects.requireNonNullElse(a.subPath, ""), Objects.requireNonNullElse(b.subPath, ""));
    }
}
