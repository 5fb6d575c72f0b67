package dev.mmalign.api.dataset;

import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.Pattern;
import dev.mmalign.api.common.SchemaPatterns;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.mmalign.api.common.JobPolicy;
import dev.mmalign.api.common.StorageSpec;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** Prompts in; sampled completions, judge annotations and training sets out. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PreferenceDatasetSpec {

    @Required
    @JsonPropertyDescription("The claim holding inputs and outputs; all paths are relative to it.")
    public StorageSpec storage;

    @Required
    @JsonPropertyDescription("The image + question prompts.")
    public PromptsSpec prompts;

    @Required
    @JsonPropertyDescription("How completions are sampled from the policy model.")
    public SamplingSpec sampling;

    @Required
    @ValidationRule(value = "self.provider != 'vertex-gemini' || (has(self.project) && has(self.location))",
            message = "provider vertex-gemini requires project and location")
    @ValidationRule(value = "self.provider != 'openai-compatible' || has(self.endpoint)",
            message = "provider openai-compatible requires endpoint")
    @ValidationRule(value = "self.provider != 'import' || has(self.importPath)",
            message = "provider import requires importPath")
    @ValidationRule(value = "!(self.provider in ['vertex-gemini', 'openai-compatible']) || has(self.model)",
            message = "providers vertex-gemini and openai-compatible require model")
    @JsonPropertyDescription("How the completions are rated by the judge.")
    public AnnotationSpec annotation;

    @JsonPropertyDescription("Which training sets to build from the annotations. Unset: all four with the paper's rules.")
    public TrainingSetsSpec trainingSets = new TrainingSetsSpec();

    @JsonPropertyDescription("Kueue LocalQueue for the stage Jobs; Jobs are then created suspended with the "
            + "kueue.x-k8s.io/queue-name label and admitted by Kueue.")
    @Size(max = 63)
    @Pattern(SchemaPatterns.LABEL_VALUE)
    public String queueName;

    @JsonPropertyDescription("Retries and time limits of the stage Jobs.")
    public JobPolicy jobPolicy = new JobPolicy();

    public PreferenceDatasetSpec() {}
}
