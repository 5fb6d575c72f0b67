package dev.mmalign.api.sweep;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.mmalign.api.bench.EvaluationSpec;
import dev.mmalign.api.run.AlignmentRunSpec;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A template run, the axes varied around it, how many children train at once, and the benchmarks all of them (and the
 * template's base model, once) are evaluated on.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "(has(self.axes.dataFraction) ? size(self.axes.dataFraction) : 1)"
        + " * (has(self.axes.beta) ? size(self.axes.beta) : 1)"
        + " * (has(self.axes.learningRate) ? size(self.axes.learningRate) : 1)"
        + " * (has(self.axes.averageLogProbs) ? size(self.axes.averageLogProbs) : 1)"
        + " * (has(self.axes.method) ? size(self.axes.method) : 1) <= " + AlignmentSweepSpec.MAX_RUNS,
        message = "the axes' product (the number of child runs) must be at most " + AlignmentSweepSpec.MAX_RUNS
                + ": the sweep's BenchmarkSuite holds at most 32 models, the base included")
@ValidationRule(value = "!has(self.template.evaluation)", message = "leave template.evaluation unset: the sweep "
        + "evaluates all its runs in one BenchmarkSuite (spec.evaluation)")
@ValidationRule(value = "!has(self.axes.method) || !has(self.template.dataset.trainingSet)",
        message = "with a method axis leave template.dataset.trainingSet unset: each child trains on the set its "
                + "method needs")
@ValidationRule(value = "(!has(self.axes.beta) && !has(self.axes.averageLogProbs)) || (has(self.axes.method) "
        + "? self.axes.method.exists(m, m == 'DPO') : self.template.method == 'DPO')",
        message = "the beta and averageLogProbs axes need method DPO (in the template or the method axis)")
public class AlignmentSweepSpec {

    /** Most child runs of one sweep: its suite holds at most 32 models, one of them the base. */
    public static final int MAX_RUNS = 31;

    @Required
    @JsonPropertyDescription("The AlignmentRun every child starts from; each child sets the fields of its point of "
            + "the axes (an axis overrides the template's value). evaluation must be unset.")
    public AlignmentRunSpec template;

    @Required
    @JsonPropertyDescription("The values tried; one child run per point of the product of the axes that are set.")
    public SweepAxes axes;

    @Default("2")
    @Min(1)
    @Max(MAX_RUNS)
    @JsonPropertyDescription("Most child runs training (or waiting for their dataset) at once; further children are "
            + "created as earlier ones finish.")
    public Integer maxConcurrent = 2;

    @Required
    @JsonPropertyDescription("Benchmarks (and judge, resources) of the one BenchmarkSuite over the base model (named "
            + "\"base\", the baseline) and every child's aligned model.")
    public EvaluationSpec evaluation;

    public AlignmentSweepSpec() {}
}
