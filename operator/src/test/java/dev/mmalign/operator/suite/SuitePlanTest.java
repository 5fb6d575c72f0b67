package dev.mmalign.operator.suite;

import dev.mmalign.api.bench.BenchmarkResult;
import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.stage.ProgressReporting;
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
     * the dataset's image root, and the sweep's tables.
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
        assertEquals("mmalign/datasets/prefs", report.paths.inputs.get(StageInputs.DATASET_ROOT));
        assertEquals("world/images", report.paths.inputs.get(StageInputs.IMAGE_ROOT));
        assertEquals("mmalign/suites/table2", report.paths.outputDir);
        assertNull(report.judge, "the report step asks no judge");
        assertNull(report.sweepTables, "not a sweep's suite");

        StageSpec evaluate = SuitePlan.evaluateSpec(suite, 3, MODELS.get(1), new ProgressReporting());
        assertFalse(evaluate.paths.inputs.containsKey(StageInputs.RESULTS), "a model's evaluation evaluates");
        assertEquals("mmalign/suites/table2/models/dpo", evaluate.paths.outputDir,
                "where the report step finds it: <results>/<model>");
    }

    /** Guards the dataset choice: a run on another claim's dataset, or on a file, names no dataset. */
    @Test
    void noDatasetWhenTheRunsTrainedOnAFileOrAnotherClaim() {
        BenchmarkSuite suite = Fixtures.suite("ns", "t", List.of(Fixtures.modelAt("base", "models/tiny"),
                Fixtures.modelOfRun("dpo", "dpo-run")));
        PreferenceDataset elsewhere = Fixtures.dataset("ns", "prefs");
        elsewhere.getSpec().storage.claimName = "other";
        assertNull(SuiteReportInputs.of(suite.getSpec(), runs(Fixtures.run("ns", "dpo-run", "prefs")),
                datasets(elsewhere), List.of()).datasetRoot());
        assertNull(SuiteReportInputs.of(suite.getSpec(), runs(Fixtures.runOnFile("ns", "dpo-run")),
                datasets(Fixtures.dataset("ns", "prefs")), List.of()).datasetRoot());
        StageSpec report = SuitePlan.reportSpec(suite, 1, MODELS, SuiteReportInputs.NONE, new ProgressReporting());
        assertFalse(report.paths.inputs.containsKey(StageInputs.DATASET_ROOT));
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
