package dev.mmalign.api.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.mmalign.api.common.ComputeResources;

/** Which training sets the build stage writes from the annotations. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainingSetsSpec {

    @JsonPropertyDescription("DPO pairs (chosen = best, rejected per the selection rule). Built unless disabled.")
    public DpoSetSpec dpo = new DpoSetSpec();

    @JsonPropertyDescription("Rejection-sampling SFT set (best completion per prompt). Built unless disabled.")
    public RejectionSamplingSetSpec rejectionSampling = new RejectionSamplingSetSpec();

    @JsonPropertyDescription("SteerLM SFT set (every completion conditioned on its ratings). Built unless disabled.")
    public SteerLMSetSpec steerLM = new SteerLMSetSpec();

    @JsonPropertyDescription("Standard SFT set (paper baseline) from the judge's own answers when "
            + "annotation.goldAnswers is enabled, else from the prompts' goldAnswer fields. Built unless disabled; "
            + "prompts without an answer are skipped.")
    public ToggleSetSpec goldSFT = new ToggleSetSpec();

    @JsonPropertyDescription("Resources of the build pod (a GPU speeds up the reference log-probabilities).")
    public ComputeResources resources;

    public TrainingSetsSpec() {}
}
