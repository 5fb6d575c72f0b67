package dev.mmalign.api.stage;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one shard of a stage wrote when it finished: result-&lt;shard&gt;.json in the output folder, and a compact copy
 * (at most 4 KiB) in /dev/termination-log that the operator reads from the pod status.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StageResult {

    /** How the shard ended. */
    public enum Outcome { succeeded, failed, budgetExhausted, interrupted }

    public StageName stage;
    public Integer shardIndex;
    public Integer shardCount;
    public Outcome outcome;
    /** Record counts (prompts, completions, annotated, quarantined, pairs, steps, ...). */
    public Map<String, Long> counts = new LinkedHashMap<>();
    /** Final figures (loss, rewards/accuracies, attribute means, cost in USD, benchmark scores, ...). */
    public Map<String, Double> metrics = new LinkedHashMap<>();
    /** Artifact paths relative to the storage root (dpo, adapter, report, ...). */
    public Map<String, String> artifacts = new LinkedHashMap<>();
    /** Why it failed, naming the file and line where input was bad. */
    public String message;
    public String startedAt;
    public String finishedAt;

    public StageResult() {}
}
