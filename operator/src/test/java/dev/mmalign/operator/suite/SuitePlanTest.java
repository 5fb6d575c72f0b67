package dev.mmalign.operator.suite;

import dev.mmalign.api.bench.BenchmarkResult;
import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.stage.ProgressReporting;
import dev.mmalign.api.stage.ReportDataset;
import dev.mmalign.api.stage.ResolvedModel;
import dev.mmalign.api.stage.StageInputs;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.api.sweep.AlignmentSweep;
import dev.mmalign.api.sweep.SweepRun;
import dev.mmalign.api.sweep.SweepTable;
import dev.mmalign.operator.k8s.Json;
import dev.mmalign.operator.sweep.SweepPlan;
import dev.mmalign.operator.sweep.SweepTables;
import dev.mmalign.operator.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The suite's report step spec and what its report shows beside the scores (pure). */
class SuitePlanTest {

    private static final List<ResolvedModel> MODELS = List.of(new ResolvedModel("base", "models/tiny", null),
            new ResolvedModel("dpo", "models/tiny", "mmalign/runs/dpo-run/adapter"));

    /**
     * Guards the report step's contract with the evaluate stage: the per-model results folder under
     * paths.inputs.results (which makes the pod merge instead of evaluating), the dataset its runs trained on with
     * the dataset's image root and the models trained on it, and the sweep's tables.
     */
    @Test
    void reportStepMergesTheModelsFoldersAndNamesTheDatasetOfTheRuns() {
        BenchmarkSuite suite = Fixtures.suite("ns", "table2", List.of(Fixtures.modelAt("base", "models/tiny"),
                Fixtures.modelOfRun("dpo", "dpo-run")));
        PreferenceDataset ds = Fixtures.dataset("ns", "prefs");
        ds.getSpec().prompts.imageRoot = "world/images";
        var inputs = SuiteReportInputs.of(suite.getSpec(), runs(Fixtures.run("ns", "dpo-run", "prefs")),
                datasets(ds), List.of());

        StageSpec report = SuitePlan.reportSpec(suite, 3, MODELS, inputs, new ProgressReporting());
        assertEquals("mmalign/suites/table2/models", report.paths.inputs.get(StageInputs.RESULTS));
        assertEquals(1, report.reportDatasets.size());
        ReportDataset prefs = report.reportDatasets.get(0);
        assertEquals("prefs", prefs.name);
        assertEquals("mmalign/datasets/prefs", prefs.root);
        assertEquals("world/images", prefs.imageRoot);
        assertEquals(List.of("dpo"), prefs.models);
        assertEquals("mmalign/suites/table2", report.paths.outputDir);
        assertNull(report.judge, "the report step asks no judge");
        assertNull(report.sweepTables, "not a sweep's suite");

        StageSpec evaluate = SuitePlan.evaluateSpec(suite, 3, MODELS.get(1), new ProgressReporting());
        assertFalse(evaluate.paths.inputs.containsKey(StageInputs.RESULTS), "a model's evaluation evaluates");
        assertNull(evaluate.reportDatasets, "a model's evaluation renders no dataset");
        assertEquals("mmalign/suites/table2/models/dpo", evaluate.paths.outputDir,
                "where the report step finds it: <results>/<model>");
    }

    /**
     * Guards that runs on different datasets give the report every dataset, once each, in the order of their first
     * model, each with all its models (the report used to show only the first model's dataset).
     */
    @Test
    void runsOnDifferentDatasetsGiveTheReportEachDatasetWithItsModels() {
        BenchmarkSuite suite = Fixtures.suite("ns", "t", List.of(Fixtures.modelAt("base", "models/tiny"),
                Fixtures.modelOfRun("dpo-a", "run-a"), Fixtures.modelOfRun("dpo-b", "run-b"),
                Fixtures.modelOfRun("sft-a", "run-a2")));
        PreferenceDataset a = Fixtures.dataset("ns", "prefs-a");
        PreferenceDataset b = Fixtures.dataset("ns", "prefs-b");
        b.getSpec().prompts.imageRoot = "other/images";
        var inputs = SuiteReportInputs.of(suite.getSpec(), runs(Fixtures.run("ns", "run-a", "prefs-a"),
                Fixtures.run("ns", "run-b", "prefs-b"), Fixtures.run("ns", "run-a2", "prefs-a")), datasets(a, b),
                List.of());
        List<ReportDataset> ds = SuitePlan.reportSpec(suite, 1, MODELS, inputs, new ProgressReporting())
                .reportDatasets;
        assertEquals(List.of("prefs-a", "prefs-b"), ds.stream().map(d -> d.name).toList());
        assertEquals(List.of("dpo-a", "sft-a"), ds.get(0).models);
        assertEquals(List.of("dpo-b"), ds.get(1).models);
        assertEquals("mmalign/datasets/prefs-b", ds.get(1).root);
        assertEquals("other/images", ds.get(1).imageRoot);
    }

    /**
     * Guards the dataset choice: a run on a file names no dataset; a dataset on another claim is named with its
     * models but without a root (the report pod cannot read it, and says so).
     */
    @Test
    void noDatasetWhenTheRunsTrainedOnAFileAndNoRootOnAnotherClaim() {
        BenchmarkSuite suite = Fixtures.suite("ns", "t", List.of(Fixtures.modelAt("base", "models/tiny"),
                Fixtures.modelOfRun("dpo", "dpo-run")));
        PreferenceDataset elsewhere = Fixtures.dataset("ns", "prefs");
        elsewhere.getSpec().storage.claimName = "other";
        List<ReportDataset> other = SuiteReportInputs.of(suite.getSpec(), runs(Fixtures.run("ns", "dpo-run",
                "prefs")), datasets(elsewhere), List.of()).datasets();
        assertEquals(1, other.size());
        assertNull(other.get(0).root);
        assertEquals(List.of("dpo"), other.get(0).models);
        assertEquals(List.of(), SuiteReportInputs.of(suite.getSpec(), runs(Fixtures.runOnFile("ns", "dpo-run")),
                datasets(Fixtures.dataset("ns", "prefs")), List.of()).datasets());
        StageSpec report = SuitePlan.reportSpec(suite, 1, MODELS, SuiteReportInputs.NONE, new ProgressReporting());
        assertNull(report.reportDatasets);
        assertFalse(report.paths.inputs.containsKey(StageInputs.IMAGE_ROOT));
    }

    /**
     * Guards that a sweep's suite, after a round trip through the API (JSON), gives its report step exactly the
     * tables the sweep puts into its status from the same results.
     */
    @Test
    void aSweepsSuiteGivesTheReportTheSweepsOwnTables() {
        AlignmentSweep sweep = Fixtures.sweep("ns", "fig2", List.of(0.5, 1.0), List.of(0.1, 0.5), 2);
        List<SweepPlan.Child> children = SweepPlan.children(sweep);
        BenchmarkSuite suite = Json.convert(SweepPlan.suite(sweep, children), BenchmarkSuite.class);
        List<BenchmarkResult> results = List.of(
                r("base", "pope", "f1", 0.60), r("base", "text", "accuracy", 0.20),
                r("f0p5-b0p1", "pope", "f1", 0.62), r("f0p5-b0p1", "text", "accuracy", 0.30),
                r("f0p5-b0p5", "pope", "f1", 0.64), r("f0p5-b0p5", "text", "accuracy", 0.34),
                r("f1-b0p1", "pope", "f1", 0.70), r("f1-b0p1", "text", "accuracy", 0.40),
                r("f1-b0p5", "pope", "f1", 0.66));
        List<SweepRun> rows = new ArrayList<>();
        for (SweepPlan.Child c : children) {
            SweepRun row = new SweepRun();
            row.name = c.runName();
            row.model = c.model();
            row.point = c.point();
            rows.add(row);
        }
        List<SweepTable> status = SweepTables.tables(sweep.getSpec().axes, rows, results);

        var inputs = SuiteReportInputs.of(suite.getSpec(), n -> null, n -> null, results);
        StageSpec report = SuitePlan.reportSpec(suite, 1, MODELS, inputs, new ProgressReporting());
        assertEquals(Json.write(status), Json.write(report.sweepTables));
        assertEquals(List.of("0.5", "1"), report.sweepTables.get(0).rows.stream().map(x -> x.value).toList());
        assertEquals(0.63, report.sweepTables.get(0).rows.get(0).scores.get("pope/f1"), 1e-12); // (0.62 + 0.64) / 2
        assertEquals(0.40, report.sweepTables.get(0).rows.get(1).scores.get("text/accuracy"), 1e-12); // f1-b0p1 only
        assertEquals("base", report.sweepTables.get(0).baselineModel, "the suite's baseline, the sweep's base");
        assertEquals(0.60, report.sweepTables.get(0).baseline.get("pope/f1"), 1e-12);
    }

    private static BenchmarkResult r(String model, String bench, String metric, double score) {
        return new BenchmarkResult(model, bench, metric, score, 100L, null);
    }

    private static java.util.function.Function<String, AlignmentRun> runs(AlignmentRun... runs) {
        return n -> List.of(runs).stream().filter(r -> r.getMetadata().getName().equals(n)).findFirst().orElse(null);
    }

    private static java.util.function.Function<String, PreferenceDataset> datasets(PreferenceDataset... ds) {
        return n -> List.of(ds).stream().filter(d -> d.getMetadata().getName().equals(n)).findFirst().orElse(null);
    }

}
