package dev.mmalign.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.Map;

/**
 * Live progress of the running stage. This is the one status field the stage pod writes itself (through the
 * status subresource, at most every ~10 s); the operator owns every other status field. A sharded stage's pods (an
 * Indexed Job) each report under their own key of {@code shards}, and every report recomputes the figures above it
 * from all shards, so they describe the whole stage and never jump between shards.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Progress {

    @JsonPropertyDescription("Stage that reported this progress (sample, annotate, build, train, evaluate).")
    public String stage;

    @JsonPropertyDescription("Units done so far (prompts, completions, optimizer steps, samples).")
    public Long current;

    @JsonPropertyDescription("Units in all.")
    public Long total;

    @JsonPropertyDescription("What a unit is (prompts, completions, steps, samples).")
    public String unit;

    @JsonPropertyDescription("Percent done, 0-100.")
    public Double percent;

    @JsonPropertyDescription("Training epoch (fractional), for the train stage.")
    public Double epoch;

    @JsonPropertyDescription("Estimated seconds to completion.")
    public Long etaSeconds;

    @JsonPropertyDescription("RFC 3339 time of this report.")
    public String updatedAt;

    @JsonPropertyDescription("Short human-readable note from the stage (e.g. 'rate limited, backing off').")
    public String message;

    @JsonPropertyDescription("Sharded stages only: each shard's own progress, by completion index. Then current and "
            + "total are the shards' sums (total once every shard has reported), percent counts a shard that has "
            + "not reported yet as 0, and etaSeconds is the slowest shard's.")
    public Map<String, ShardProgress> shards;

    public Progress() {}
}
