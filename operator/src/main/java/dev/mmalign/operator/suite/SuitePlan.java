package dev.mmalign.operator.suite;

import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.api.stage.OwnerInfo;
import dev.mmalign.api.stage.PodContract;
import dev.mmalign.api.stage.ProgressReporting;
import dev.mmalign.api.stage.ResolvedModel;
import dev.mmalign.api.stage.StageInputs;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;

import java.util.List;

/**
 * The stages of a BenchmarkSuite (pure): one evaluate Job per model, running all the suite's benchmarks, then one
 * small report Job that merges the per-model results into results.json and report.html.
 *
 * <p>Why per model and not per model × benchmark: loading a model (26 GB for LLaVA-1.5-13B) dominates, so one pod
 * loads it once for all benchmarks; the model is the unit that needs a GPU and that becomes ready (its AlignmentRun)
 * on its own; and a suite of 32 models stays at 32 Jobs instead of hundreds.
 */
public final class SuitePlan {

    public static final String REPORT = "report";
    public static final String EVALUATE_PREFIX = "evaluate-";

    private SuitePlan() {}

    public static String stageName(String model) {
        return EVALUATE_PREFIX + model;
    }

    /** Where one model's evaluation writes its outputs. */
    public static String modelDir(String suite, String model) {
        return modelsDir(suite) + "/" + model;
    }

    static String modelsDir(String suite) {
        return ArtifactLayout.suiteRoot(suite) + "/models";
    }

    public static StageSpec evaluateSpec(BenchmarkSuite suite, long generation, ResolvedModel model,
                                         ProgressReporting progress) {
        StageSpec s = base(suite, generation, progress);
        s.models = List.of(model);
        s.judge = suite.getSpec().judge;
        s.evaluationPrecision = suite.getSpec().precision;
        s.paths.outputDir = modelDir(suite.getMetadata().getName(), model.name);
        return s;
    }

    /**
     * The report step: every model, no judge; merges the per-model results (paths.inputs.results: the folder of the
     * models' output folders) into results.json and report.html, evaluating nothing. The report also shows every
     * dataset {@code inputs} names, and a sweep's tables.
     */
    public static StageSpec reportSpec(BenchmarkSuite suite, long generation, List<ResolvedModel> models,
                                       SuiteReportInputs inputs, ProgressReporting progress) {
        StageSpec s = base(suite, generation, progress);
        s.models = models;
        s.paths.inputs.put(StageInputs.RESULTS, modelsDir(suite.getMetadata().getName()));
        s.reportDatasets = inputs.datasets().isEmpty() ? null : inputs.datasets();
        s.sweepTables = inputs.sweepTables();
        s.paths.outputDir = ArtifactLayout.suiteRoot(suite.getMetadata().getName());
        return s;
    }

    private static StageSpec base(BenchmarkSuite suite, long generation, ProgressReporting progress) {
        StageSpec s = new StageSpec();
        s.stage = StageName.evaluate;
        s.owner = new OwnerInfo(suite.getKind(), suite.getMetadata().getNamespace(), suite.getMetadata().getName(),
                suite.getMetadata().getUid(), generation);
        s.progress = progress;
        s.benchmarks = suite.getSpec().benchmarks;
        s.paths.storageRoot = PodContract.STORAGE_ROOT;
        return s;
    }

}
