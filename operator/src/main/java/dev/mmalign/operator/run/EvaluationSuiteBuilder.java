package dev.mmalign.operator.run;

import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.bench.BenchmarkSuiteSpec;
import dev.mmalign.api.bench.EvaluationSpec;
import dev.mmalign.api.bench.ModelUnderTest;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.AlignmentRunSpec;
import dev.mmalign.operator.k8s.ChildNames;
import dev.mmalign.operator.k8s.Json;
import dev.mmalign.operator.k8s.Labels;
import dev.mmalign.operator.k8s.Owners;

import java.util.ArrayList;
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
        BenchmarkSuiteSpec spec = suiteSpec(run.getSpec().evaluation, run.getSpec());
        ModelUnderTest aligned = new ModelUnderTest();
        aligned.name = ALIGNED;
        aligned.alignmentRun = run.getMetadata().getName();
        spec.models.add(aligned);

        BenchmarkSuite suite = new BenchmarkSuite();
        suite.getMetadata().setName(ChildNames.evaluationSuite(run.getMetadata().getName()));
        suite.getMetadata().setNamespace(run.getMetadata().getNamespace());
        suite.getMetadata().setLabels(Labels.forChild(run, "evaluation"));
        suite.getMetadata().setOwnerReferences(List.of(Owners.controllerReference(run)));
        suite.setSpec(Json.convert(spec, BenchmarkSuiteSpec.class));
        return suite;
    }

    /**
     * The spec of a suite that evaluates {@code eval} for runs like {@code run}: every field of the evaluation (copied
     * as JSON, so that one added to EvaluationSpec reaches the suite without a change here: the sweep's suite once
     * lost its precision this way), the run's storage, queue and job policy, and the run's base model as the first
     * model, named {@value #BASE} and the baseline. The caller adds the models under test.
     */
    public static BenchmarkSuiteSpec suiteSpec(EvaluationSpec eval, AlignmentRunSpec run) {
        BenchmarkSuiteSpec spec = Json.convert(eval, BenchmarkSuiteSpec.class);
        spec.storage = run.storage;
        spec.queueName = run.queueName;
        spec.jobPolicy = run.jobPolicy;
        ModelUnderTest base = new ModelUnderTest();
        base.name = BASE;
        base.path = run.baseModel.path;
        base.alignmentRun = run.baseModel.alignmentRun;
        base.merged = run.baseModel.merged;
        spec.models = new ArrayList<>(List.of(base));
        spec.baseline = BASE;
        return spec;
    }
}
