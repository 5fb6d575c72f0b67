package dev.mmalign.api.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.mmalign.api.common.ComputeResources;
import dev.mmalign.api.common.JudgeSpec;
import dev.mmalign.api.run.Precision;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.List;

/** Benchmarks to run and how: the part of a BenchmarkSuite that does not name the models. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EvaluationSpec {

    @Required
    @Size(min = 1, max = 64)
    @ValidationRule(value = "self.all(b, !has(b.id) || self.exists_one(c, has(c.id) && c.id == b.id))",
            message = "benchmark ids must be unique")
    @ValidationRule(value = "self.all(b, has(b.id) || self.exists_one(c, !has(c.id) && c.name == b.name && "
            + "(has(c.noisyImage) ? c.noisyImage : 'none') == (has(b.noisyImage) ? b.noisyImage : 'none')))",
            message = "a benchmark listed twice with the same noisyImage needs an id on each entry")
    @JsonPropertyDescription("The benchmarks.")
    public List<BenchmarkSpec> benchmarks;

    @ValidationRule(value = "self.provider != 'vertex-gemini' || (has(self.project) && has(self.location))",
            message = "provider vertex-gemini requires project and location")
    @ValidationRule(value = "self.provider != 'openai-compatible' || has(self.endpoint)",
            message = "provider openai-compatible requires endpoint")
    @ValidationRule(value = "self.provider != 'import'", message = "provider import cannot judge benchmarks")
    @JsonPropertyDescription("Judge of judge-scored benchmarks (mm-vet, llava-bench, mt-bench, alpaca-eval).")
    public JudgeSpec judge;

    @Default("fp16")
    @JsonPropertyDescription("Numeric precision the models answer in: fp16 stores the weights in fp16 on the device "
            + "and computes in fp32, as training does; fp32 keeps everything fp32; bf16 is refused by the evaluate "
            + "stage (exit 2) until the engine has bfloat16 tensors.")
    public Precision precision = Precision.fp16;

    @JsonPropertyDescription("Resources of each evaluation pod.")
    public ComputeResources resources;

    public EvaluationSpec() {}
}
