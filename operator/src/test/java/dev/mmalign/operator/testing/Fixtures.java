package dev.mmalign.operator.testing;

import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.api.bench.BenchmarkSpec;
import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.bench.BenchmarkSuiteSpec;
import dev.mmalign.api.bench.EvaluationSpec;
import dev.mmalign.api.bench.ModelUnderTest;
import dev.mmalign.api.common.ComputeResources;
import dev.mmalign.api.common.JudgeProvider;
import dev.mmalign.api.common.ModelSource;
import dev.mmalign.api.common.StorageSpec;
import dev.mmalign.api.dataset.AnnotationSpec;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.dataset.PreferenceDatasetSpec;
import dev.mmalign.api.dataset.PromptsSpec;
import dev.mmalign.api.dataset.SamplingSpec;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.AlignmentRunSpec;
import dev.mmalign.api.run.DatasetRef;
import dev.mmalign.api.run.Method;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageResult;

import java.util.List;
import java.util.Map;

/** Small valid resources and stage results for tests. */
public final class Fixtures {

    private Fixtures() {}

    public static PreferenceDataset dataset(String ns, String name) {
        PreferenceDatasetSpec spec = new PreferenceDatasetSpec();
        spec.storage = new StorageSpec("data", "quickstart");
        spec.prompts = new PromptsSpec();
        spec.prompts.path = "prompts/prompts.jsonl";
        spec.sampling = new SamplingSpec();
        spec.sampling.model = ModelSource.ofPath("models/tiny");
        spec.sampling.shards = 2;
        spec.sampling.resources = new ComputeResources();
        spec.sampling.resources.gpus = 1;
        spec.annotation = new AnnotationSpec();
        spec.annotation.provider = JudgeProvider.ORACLE;
        PreferenceDataset ds = new PreferenceDataset();
        ds.getMetadata().setName(name);
        ds.getMetadata().setNamespace(ns);
        ds.setSpec(spec);
        return ds;
    }

    public static AlignmentRun run(String ns, String name, String dataset) {
        AlignmentRunSpec spec = new AlignmentRunSpec();
        spec.method = Method.DPO;
        spec.storage = new StorageSpec("data", "quickstart");
        spec.baseModel = ModelSource.ofPath("models/tiny");
        spec.dataset = new DatasetRef();
        spec.dataset.name = dataset;
        spec.resources = new ComputeResources();
        spec.resources.gpus = 2;
        AlignmentRun run = new AlignmentRun();
        run.getMetadata().setName(name);
        run.getMetadata().setNamespace(ns);
        run.setSpec(spec);
        return run;
    }

    /** A DPO run that trains on a training-set file ({@code sets/dpo.jsonl}) rather than on a dataset: no waiting. */
    public static AlignmentRun runOnFile(String ns, String name) {
        AlignmentRun run = run(ns, name, null);
        run.getSpec().dataset.path = "sets/dpo.jsonl";
        return run;
    }

    public static EvaluationSpec evaluation() {
        EvaluationSpec e = new EvaluationSpec();
        e.benchmarks = List.of(benchmark(BenchmarkName.POPE), benchmark(BenchmarkName.EXACT_MATCH));
        return e;
    }

    public static BenchmarkSpec benchmark(BenchmarkName name) {
        BenchmarkSpec b = new BenchmarkSpec();
        b.name = name;
        b.dataPath = "bench/" + name.wireName() + ".jsonl";
        return b;
    }

    public static BenchmarkSuite suite(String ns, String name, List<ModelUnderTest> models) {
        BenchmarkSuiteSpec spec = new BenchmarkSuiteSpec();
        spec.storage = new StorageSpec("data", "quickstart");
        spec.models = models;
        spec.baseline = models.get(0).name;
        spec.benchmarks = evaluation().benchmarks;
        BenchmarkSuite s = new BenchmarkSuite();
        s.getMetadata().setName(name);
        s.getMetadata().setNamespace(ns);
        s.setSpec(spec);
        return s;
    }

    public static ModelUnderTest modelAt(String name, String path) {
        ModelUnderTest m = new ModelUnderTest();
        m.name = name;
        m.path = path;
        return m;
    }

    public static ModelUnderTest modelOfRun(String name, String run) {
        ModelUnderTest m = new ModelUnderTest();
        m.name = name;
        m.alignmentRun = run;
        return m;
    }

    public static StageResult result(StageName stage, Map<String, Long> counts, Map<String, Double> metrics,
                                     Map<String, String> artifacts) {
        StageResult r = new StageResult();
        r.stage = stage;
        r.outcome = StageResult.Outcome.succeeded;
        r.counts.putAll(counts);
        r.metrics.putAll(metrics);
        r.artifacts.putAll(artifacts);
        return r;
    }

    public static StageResult failure(StageName stage, String message) {
        StageResult r = new StageResult();
        r.stage = stage;
        r.outcome = StageResult.Outcome.failed;
        r.message = message;
        return r;
    }

    /** The scores one model's evaluate pod reports for the two benchmarks of {@link #evaluation()}. */
    public static StageResult scores(double popeF1, double exactMatch) {
        return result(StageName.evaluate, Map.of("pope", 100L, "exact-match", 50L),
                Map.of("pope/f1", popeF1, "pope/accuracy", popeF1 - 0.01, "exact-match/accuracy", exactMatch),
                Map.of());
    }

    /**
     * A sweep over the data fraction (and {@code betas}, when given) of a DPO run on a training-set file, evaluated on
     * the fixture benchmarks (pope, exact-match).
     */
    public static dev.mmalign.api.sweep.AlignmentSweep sweep(String ns, String name, List<Double> fractions,
                                                             List<Double> betas, int maxConcurrent) {
        var spec = new dev.mmalign.api.sweep.AlignmentSweepSpec();
        spec.template = runOnFile(ns, "template").getSpec();
        spec.axes = new dev.mmalign.api.sweep.SweepAxes();
        spec.axes.dataFraction = fractions;
        spec.axes.beta = betas;
        spec.maxConcurrent = maxConcurrent;
        spec.evaluation = evaluation();
        var sweep = new dev.mmalign.api.sweep.AlignmentSweep();
        sweep.getMetadata().setName(name);
        sweep.getMetadata().setNamespace(ns);
        sweep.setSpec(spec);
        return sweep;
    }
}
