package dev.mmalign.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.Map;

/** What the operator knows of one stage (one Job) of a resource. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StageState {

    /** Life cycle of one stage. */
    public enum Phase { Pending, Running, Succeeded, Failed, Suspended, Skipped }

    @JsonPropertyDescription("Stage name: sample, annotate, build, train, or evaluate-<model>.")
    public String name;

    @JsonPropertyDescription("Pending, Running, Succeeded, Failed, Suspended or Skipped.")
    public Phase phase;

    @JsonPropertyDescription("Name of the Job that runs this stage.")
    public String jobName;

    @JsonPropertyDescription("Shards (Job completions) in all.")
    public Integer shards;

    @JsonPropertyDescription("Shards finished successfully.")
    public Integer succeededShards;

    @JsonPropertyDescription("Failed pod attempts so far.")
    public Integer failedAttempts;

    @JsonPropertyDescription("RFC 3339 time the stage's Job started.")
    public String startTime;

    @JsonPropertyDescription("RFC 3339 time the stage finished.")
    public String completionTime;

    @JsonPropertyDescription("Why the stage is in its phase (e.g. the termination message of a failed pod).")
    public String message;

    @JsonPropertyDescription("Generation of the resource this stage ran for.")
    public Long generation;

    @JsonPropertyDescription("Short hash of each top-level spec field as it was when this stage's Job was created: "
            + "the Job keeps that spec, and a later spec change is reported naming the fields that differ.")
    public Map<String, String> specFields;

    public StageState() {}

    public StageState(String name, Phase phase) {
        this.name = name;
        this.phase = phase;
    }
}
