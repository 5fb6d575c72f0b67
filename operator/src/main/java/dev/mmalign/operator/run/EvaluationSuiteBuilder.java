package dev.mmalign.operator.run;

import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.bench.BenchmarkSuiteSpec;
import dev.mmalign.api.bench.ModelUnderTest;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.operator.k8s.ChildNames;
import dev.mmalign.operator.k8s.Json;
import dev.mmalign.operator.k8s.Labels;
import dev.mmalign.operator.k8s.Owners;

import java.util.List;

/**
 * The BenchmarkSuite an AlignmentRun with spec.evaluation owns (pure): the run's base model (named "base", the
 * baseline) against the run's output (named "aligned"), on the evaluation's benchmarks.
 */
public final class EvaluationSuiteBuilder {

    public static final String BASE = "base";
    public static final String ALIGNED = "aligned";

    private EvaluationSuiteBuilder() {}

    public static BenchmarkSuite build(AlignmentRun run) {
        var eval = run.getSpec().evaluation;
        BenchmarkSuiteSpec spec = new BenchmarkSuiteSpec();
        spec.storage = run.getSpec().storage;
        spec.benchmarks = eval.benchmarks;
        spec.judge = eval.judge;
        spec.resources = eval.resources;
        spec.precision = eval.precision;
        spec.queueName = run.getSpec().queueName;
        spec.jobPolicy = run.getSpec().jobPolicy;

        ModelUnderTest base = new ModelUnderTest();
        base.name = BASE;
        base.path = run.getSpec().baseModel.path;
        base.alignmentRun = run.getSpec().baseModel.alignmentRun;
        base.merged = run.getSpec().baseModel.merged;
        ModelUnderTest aligned = new ModelUnderTest();
        aligned.name = ALIGNED;
        aligned.alignmentRun = run.getMetadata().getName();
        spec.models = List.of(base, aligned);
        spec.baseline = BASE;

        BenchmarkSuite suite = new BenchmarkSuite();
        suite.getMetadata().setName(ChildNames.evaluationSuite(run.getMetadata().getName()));
        suite.getMetadata().setNamespace(run.getMetadata().getNamespace());
        suite.getMetadata().setLabels(Labels.forChild(run, "evaluation"));
        suite.getMetadata().setOwnerReferences(List.of(Owners.controllerReference(run)));
        suite.setSpec(Json.convert(spec, BenchmarkSuiteSpec.class));
        return suite;
    }
}
