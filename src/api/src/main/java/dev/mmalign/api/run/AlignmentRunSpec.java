package dev.mmalign.api.run;

import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.Pattern;
import dev.mmalign.api.common.SchemaPatterns;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.mmalign.api.bench.EvaluationSpec;
import dev.mmalign.api.common.ComputeResources;
import dev.mmalign.api.common.JobPolicy;
import dev.mmalign.api.common.ModelSource;
import dev.mmalign.api.common.StorageSpec;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** One training run: a method, a base model, a training set and the hyper-parameters. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.method != 'DPO' || has(self.dataset.path) || !has(self.dataset.trainingSet) "
        + "|| self.dataset.trainingSet == 'dpo'", message = "method DPO requires a preference (dpo) training set")
@ValidationRule(value = "self.method == 'DPO' || !has(self.dataset.trainingSet) || self.dataset.trainingSet != 'dpo'",
        message = "the dpo training set can only be used with method DPO")
@ValidationRule(value = "!has(self.dpo) || self.method == 'DPO'", message = "dpo settings are only valid with method DPO")
public class AlignmentRunSpec {

    @Required
    @JsonPropertyDescription("DPO, SFT, RejectionSampling or SteerLM.")
    public Method method;

    @Required
    @JsonPropertyDescription("The claim holding the base model, data and outputs.")
    public StorageSpec storage;

    @Required
    @JsonPropertyDescription("The model to start from (paper: LLaVA-1.5-13B), a folder or another run's output.")
    public ModelSource baseModel;

    @Required
    @JsonPropertyDescription("The training data.")
    public DatasetRef dataset;

    @Default("1.0")
    @Min(value = 0, inclusive = false)
    @Max(1)
    @JsonPropertyDescription("Fraction of the training set used, in (0, 1]; subsets are nested (25% of the data is "
            + "inside the 50%) and deterministic, for data-scaling curves (paper Figure 2).")
    public Double dataFraction = 1.0;

    @JsonPropertyDescription("DPO settings (method DPO only).")
    public DpoSpec dpo;

    @JsonPropertyDescription("LoRA settings. Unset: LoRA with the paper's rank 128, alpha 256.")
    public LoraSpec lora = new LoraSpec();

    @JsonPropertyDescription("Optimiser settings; unset fields take the paper's per-method values.")
    public TrainingSpec training = new TrainingSpec();

    @JsonPropertyDescription("Resources of the training pod.")
    public ComputeResources resources;

    @JsonPropertyDescription("Kueue LocalQueue; the Job is created suspended with the kueue.x-k8s.io/queue-name label.")
    @Size(max = 63)
    @Pattern(SchemaPatterns.LABEL_VALUE)
    public String queueName;

    @Default("false")
    @JsonPropertyDescription("Suspend training: the pod saves a checkpoint and stops; unsetting resumes from it.")
    public Boolean suspend = false;

    @JsonPropertyDescription("Retries and time limits of the training Job.")
    public JobPolicy jobPolicy = new JobPolicy();

    @JsonPropertyDescription("After training, create a BenchmarkSuite (owned by this run) comparing the result with "
            + "the base model, and mirror its headline scores in status.")
    public EvaluationSpec evaluation;

    public AlignmentRunSpec() {}
}
