package dev.mmalign.api.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Paths of a dataset's outputs, relative to the storage root. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DatasetArtifacts {
    @JsonPropertyDescription("Folder holding everything below.")
    public String root;
    @JsonPropertyDescription("Selected prompts (JSONL).")
    public String prompts;
    @JsonPropertyDescription("Sampled completions (JSONL, one file per shard under this folder).")
    public String completions;
    @JsonPropertyDescription("Judge annotations (JSONL, one file per shard under this folder).")
    public String annotations;
    @JsonPropertyDescription("Quarantined prompts with reasons (JSONL).")
    public String quarantine;
    @JsonPropertyDescription("DPO pairs (JSONL, TRL-compatible).")
    public String dpo;
    @JsonPropertyDescription("Rejection-sampling SFT examples (JSONL).")
    public String rejectionSampling;
    @JsonPropertyDescription("SteerLM SFT examples (JSONL).")
    public String steerLM;
    @JsonPropertyDescription("Standard SFT examples from gold answers (JSONL).")
    public String goldSFT;
    @JsonPropertyDescription("Judge-human agreement with confusion matrices (JSON), when annotation.humanRatings is set.")
    public String agreement;
    @JsonPropertyDescription("Build summary with score statistics (JSON).")
    public String summary;

    public DatasetArtifacts() {}
}
