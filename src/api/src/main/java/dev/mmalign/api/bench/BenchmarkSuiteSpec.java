package dev.mmalign.api.bench;

import io.fabric8.generator.annotation.Pattern;
import dev.mmalign.api.common.SchemaPatterns;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.mmalign.api.common.JobPolicy;
import dev.mmalign.api.common.StorageSpec;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.List;

/** Models x benchmarks, scored into one table. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.baseline) || self.models.exists(m, m.name == self.baseline)",
        message = "baseline must name one of models")
@ValidationRule(value = "has(self.judge) || !self.benchmarks.exists(b, b.name in ['mm-vet', 'llava-bench', "
        + "'mt-bench', 'alpaca-eval'])", message = "judge-scored benchmarks (mm-vet, llava-bench, mt-bench, "
        + "alpaca-eval) require judge")
public class BenchmarkSuiteSpec extends EvaluationSpec {

    @Required
    @JsonPropertyDescription("The claim holding models, benchmark files and outputs.")
    public StorageSpec storage;

    @Required
    @Size(min = 1, max = 32)
    @ValidationRule(value = "self.all(m, self.exists_one(n, n.name == m.name))", message = "model names must be unique")
    @JsonPropertyDescription("The models to evaluate.")
    public List<ModelUnderTest> models;

    @Size(max = 40)
    @JsonPropertyDescription("Model name that deltas are computed against (usually the base).")
    public String baseline;

    @JsonPropertyDescription("Kueue LocalQueue for the evaluation Jobs.")
    @Size(max = 63)
    @Pattern(SchemaPatterns.LABEL_VALUE)
    public String queueName;

    @JsonPropertyDescription("Retries and time limits of the evaluation Jobs.")
    public JobPolicy jobPolicy = new JobPolicy();

    @Size(max = 5)
    @JsonPropertyDescription("Set by an AlignmentSweep on its suite: the sweep's axes and their values. With each "
            + "model's sweepPoint, the report shows the sweep's score table and curves per axis.")
    public List<SweepAxisValues> sweepAxes;

    public BenchmarkSuiteSpec() {}
}
