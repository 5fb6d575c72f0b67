package dev.mmalign.api.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Record counts of a dataset's artifacts. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DatasetCounts {
    @JsonPropertyDescription("Prompts selected.")
    public Long prompts;
    @JsonPropertyDescription("Completions sampled.")
    public Long completions;
    @JsonPropertyDescription("Prompts whose completions were all rated.")
    public Long annotated;
    @JsonPropertyDescription("Prompts set aside with a reason (malformed judge answers after retries).")
    public Long quarantined;
    @JsonPropertyDescription("DPO pairs built.")
    public Long dpoPairs;
    @JsonPropertyDescription("Annotated prompts that gave no DPO pair (no completion at least minMargin below the best).")
    public Long promptsWithoutPair;
    @JsonPropertyDescription("Rejection-sampling examples built.")
    public Long rejectionSampling;
    @JsonPropertyDescription("SteerLM examples built.")
    public Long steerLM;
    @JsonPropertyDescription("Standard-SFT examples built from gold answers.")
    public Long goldSFT;

    public DatasetCounts() {}
}
